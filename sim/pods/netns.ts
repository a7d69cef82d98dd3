/**
 * Kubernetes-like pod networking without a cluster: a Linux bridge in the root
 * namespace and one network namespace per pod, each with its own address and
 * the pod DNS names of every pod in `/etc/netns/<ns>/hosts` (which
 * `ip netns exec` bind-mounts over `/etc/hosts`).
 *
 * Every bridge, veth, namespace, `/etc/netns` directory and temp directory is
 * named `isbt-<id>-...` so that {@link PodNetwork.cleanupStale} can find the
 * leftovers of crashed runs. Live networks are kept in a process-wide registry
 * and torn down synchronously on `exit`, `SIGINT`, `SIGTERM` and `SIGHUP`.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Pod } from "./pod";
import { ip, ipSync, isAlive, killNetnsProcessesSync, removeQuietly } from "./sys";

/** Global prefix of every resource name the harness creates. */
export const HARNESS_PREFIX = "isbt";
/** Directory holding `<id>.owner` files (pid of the process owning a network). */
export const OWNER_DIR = "/run/isbt";
const NETNS_ETC = "/etc/netns";
const MAX_PODS = 99;
const DEFAULT_GRACE_MS = 5000;
const EXIT_GRACE_MS = 1000;
const HANDLED_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Options of {@link PodNetwork.create}. */
export interface PodNetworkOptions {
    /** Short unique id, 1-5 chars of `[a-z0-9]`; names become `isbt-<id>-...`. */
    id: string;
    /** A `/24` inside 10.254.0.0/16, e.g. `10.254.7.0/24`; default derived from `id`. */
    subnet?: string;
    /** Keep the temp dir with logs after {@link PodNetwork.destroy}; default false. */
    keepLogs?: boolean;
    /** Grace period between SIGTERM and SIGKILL in {@link PodNetwork.destroy}; default 5000. */
    graceMs?: number;
}

/** Harness resources currently present on the machine. */
export interface HarnessResources {
    netns: string[];
    links: string[];
    etcDirs: string[];
}

const registry = new Map<string, PodNetwork>();

// ---------------------------------------------------------------- naming & addressing

function validateId(id: string): void {
    if (!/^[a-z0-9]{1,5}$/.test(id)) {
        throw new Error(`PodNetwork id must be 1-5 chars of [a-z0-9] (interface names are limited to 15), got "${id}"`);
    }
}

/**
 * A fresh network id: `tag` (1-4 chars of `[a-z0-9]`) followed by random hex digits up to the 5
 * characters an id may have (four for a one-character tag).
 */
export function newId(tag: string): string {
    if (!/^[a-z0-9]{1,4}$/.test(tag)) throw new Error(`an id tag is 1-4 chars of [a-z0-9], got "${tag}"`);
    return (
        tag +
        crypto
            .randomBytes(3)
            .toString("hex")
            .slice(0, 5 - tag.length)
    );
}

const HOSTNAME_RE = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function validateHostname(name: string): void {
    if (!HOSTNAME_RE.test(name)) {
        throw new Error(`invalid DNS name "${name}"`);
    }
}

/** The harness id encoded in a resource name `isbt-<id>-...`, or undefined. */
function idOf(name: string): string | undefined {
    const m = /^isbt-([a-z0-9]{1,5})-/.exec(name);
    return m ? m[1] : undefined;
}

function parseSubnet(subnet: string): number {
    const m = /^10\.254\.(\d{1,3})\.0\/24$/.exec(subnet);
    const octet = m ? Number(m[1]) : NaN;
    if (!(octet >= 0 && octet <= 255)) {
        throw new Error(`subnet must be a /24 inside 10.254.0.0/16 such as 10.254.7.0/24, got "${subnet}"`);
    }
    return octet;
}

function subnetInUse(octet: number): boolean {
    const taken = [...registry.values()].some((n) => n.subnet === `10.254.${octet}.0/24`);
    const text = ipSync(["-4", "-o", "addr", "show"]).stdout + ipSync(["-4", "route", "show", "table", "all"]).stdout;
    return taken || text.includes(`10.254.${octet}.`);
}

/** Third octet derived from the id (FNV-1a), moved on past subnets already in use. */
function pickOctet(id: string): number {
    let h = 0x811c9dc5;
    for (const ch of id) {
        h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    }
    for (let i = 0; i < 254; i++) {
        const octet = ((h + i) % 254) + 1;
        if (!subnetInUse(octet)) {
            return octet;
        }
    }
    throw new Error("no free /24 left in 10.254.0.0/16");
}

// ---------------------------------------------------------------- owner files

function ownerFile(id: string): string {
    return path.join(OWNER_DIR, `${id}.owner`);
}

function ownerPid(id: string): number | undefined {
    try {
        const pid = Number(fs.readFileSync(ownerFile(id), "utf8").trim());
        return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
        return undefined;
    }
}

/** True when `id` belongs to a live network of this process or of another live process. */
function isProtected(id: string): boolean {
    if (registry.has(id)) {
        return true;
    }
    const pid = ownerPid(id);
    return pid !== undefined && pid !== process.pid && isAlive(pid);
}

// ---------------------------------------------------------------- discovery

/**
 * Lists network namespaces, links and `/etc/netns` directories whose names start with `prefix`.
 */
export function listHarnessResources(prefix: string = HARNESS_PREFIX): HarnessResources {
    const netns = ipSync(["netns", "list"])
        .stdout.split("\n")
        .map((l) => l.split(" ")[0]);
    const links = ipSync(["-o", "link", "show"])
        .stdout.split("\n")
        .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1] ?? "");
    let etcDirs: string[] = [];
    try {
        etcDirs = fs.readdirSync(NETNS_ETC);
    } catch {
        // no /etc/netns
    }
    const mine = (n: string): boolean => n !== "" && n.startsWith(prefix);
    return { netns: netns.filter(mine), links: links.filter(mine), etcDirs: etcDirs.filter(mine) };
}

function tempDirs(prefix: string): string[] {
    try {
        return fs
            .readdirSync(os.tmpdir())
            .filter((n) => n.startsWith(prefix))
            .map((n) => path.join(os.tmpdir(), n));
    } catch {
        return [];
    }
}

// ---------------------------------------------------------------- exit handlers

let handlersInstalled = false;

function onExit(): void {
    cleanupAllSync();
}

function onSignal(sig: NodeJS.Signals): void {
    cleanupAllSync();
    uninstallHandlers();
    if (process.listenerCount(sig) === 0) {
        process.kill(process.pid, sig); // nobody else handles it: die as the signal intends
    }
}

function installHandlers(): void {
    if (!handlersInstalled) {
        handlersInstalled = true;
        process.on("exit", onExit);
        HANDLED_SIGNALS.forEach((s) => process.on(s, onSignal));
    }
}

function uninstallHandlers(): void {
    if (handlersInstalled) {
        handlersInstalled = false;
        process.removeListener("exit", onExit);
        HANDLED_SIGNALS.forEach((s) => process.removeListener(s, onSignal));
    }
}

/**
 * Synchronously tears down every network of this process that is still alive:
 * kills the pod processes (SIGTERM, SIGKILL after 1 s), deletes namespaces,
 * veths, bridges and `/etc/netns` directories. This is what the `exit` and
 * signal handlers run; safe to call at any time and repeatedly.
 */
export function cleanupAllSync(): void {
    for (const network of [...registry.values()]) {
        try {
            network.destroySync(EXIT_GRACE_MS);
        } catch (err) {
            process.stderr.write(`isbt harness: cleanup of ${network.id} failed: ${String(err)}\n`);
        }
    }
    uninstallHandlers();
}

/** Networks of this process that have not been destroyed yet. */
export function liveNetworks(): PodNetwork[] {
    return [...registry.values()];
}

// ---------------------------------------------------------------- PodNetwork

/**
 * A bridge plus a set of pods (network namespaces) on one `/24` of 10.254.0.0/16.
 * Create with {@link PodNetwork.create}; always {@link PodNetwork.destroy} it
 * (the exit handlers are the safety net, not the plan).
 */
export class PodNetwork {
    /** Name prefix of every resource of this network: `isbt-<id>`. */
    readonly prefix: string;
    /** Bridge in the root namespace, `isbt-<id>-br`. */
    readonly bridge: string;
    /** The subnet, `10.254.<n>.0/24`. */
    readonly subnet: string;
    /** Bridge address and default route of every pod, `10.254.<n>.1`. */
    readonly gateway: string;
    /** Hosts-format file mapping every pod's hostnames to its address, for the root namespace (read it or use {@link PodNetwork.resolve}). */
    readonly hostsFile: string;
    private readonly podList: Pod[] = [];
    private destroying?: Promise<void>;

    private constructor(
        /** The id given to {@link PodNetwork.create}. */
        readonly id: string,
        private readonly octet: number,
        /** Temp dir holding logs and {@link PodNetwork.hostsFile}. */
        readonly logDir: string,
        private readonly keepLogs: boolean,
        private readonly graceMs: number,
    ) {
        this.prefix = `${HARNESS_PREFIX}-${id}`;
        this.bridge = `${this.prefix}-br`;
        this.subnet = `10.254.${octet}.0/24`;
        this.gateway = `10.254.${octet}.1`;
        this.hostsFile = path.join(logDir, "hosts");
    }

    /**
     * Creates the bridge `isbt-<id>-br` with the `.1` address of the subnet and brings it up.
     * Leftovers of an earlier crashed run with the same id are removed first.
     * @throws Error when the id is invalid or in use by a live process, or `ip` fails.
     */
    static async create(opts: PodNetworkOptions): Promise<PodNetwork> {
        validateId(opts.id);
        if (isProtected(opts.id)) {
            throw new Error(`PodNetwork id "${opts.id}" is in use (owner pid ${ownerPid(opts.id) ?? process.pid})`);
        }
        PodNetwork.cleanupStale(`${HARNESS_PREFIX}-${opts.id}-`);
        const octet = opts.subnet === undefined ? pickOctet(opts.id) : parseSubnet(opts.subnet);
        if (opts.subnet !== undefined && subnetInUse(octet)) {
            throw new Error(`subnet ${opts.subnet} is already in use on this machine`);
        }
        const logDir = fs.mkdtempSync(path.join(os.tmpdir(), `${HARNESS_PREFIX}-${opts.id}-`));
        const network = new PodNetwork(opts.id, octet, logDir, opts.keepLogs ?? false, opts.graceMs ?? DEFAULT_GRACE_MS);
        network.register();
        try {
            await ip(["link", "add", "name", network.bridge, "type", "bridge"]);
            await ip(["addr", "add", `${network.gateway}/24`, "dev", network.bridge]);
            await ip(["link", "set", network.bridge, "up"]);
        } catch (err) {
            network.destroySync(0);
            throw err;
        }
        return network;
    }

    /**
     * Removes leftovers of crashed runs: namespaces (after killing their processes),
     * links, `/etc/netns` dirs, temp dirs and owner files whose names start with
     * `prefix`. Resources of networks owned by a live process (this one included) are kept.
     * @param prefix - must start with `isbt`; e.g. `isbt` for all, `isbt-t1a2-` for one id.
     * @returns the names removed.
     */
    static cleanupStale(prefix: string = HARNESS_PREFIX): string[] {
        if (!prefix.startsWith(HARNESS_PREFIX)) {
            throw new Error(`cleanupStale prefix must start with "${HARNESS_PREFIX}", got "${prefix}"`);
        }
        const stale = (name: string): boolean => {
            const id = idOf(name);
            return id === undefined || !isProtected(id);
        };
        const found = listHarnessResources(prefix);
        const removed: string[] = [];
        found.netns.filter(stale).forEach((ns) => killNetnsProcessesSync(ns, EXIT_GRACE_MS));
        for (const link of found.links.filter(stale)) {
            if (ipSync(["link", "del", link]).ok) removed.push(`link ${link}`);
        }
        for (const ns of found.netns.filter(stale)) {
            if (ipSync(["netns", "del", ns]).ok) removed.push(`netns ${ns}`);
        }
        for (const dir of found.etcDirs.filter(stale)) {
            removeQuietly(path.join(NETNS_ETC, dir));
            removed.push(`dir ${path.join(NETNS_ETC, dir)}`);
        }
        for (const dir of tempDirs(prefix).filter((d) => stale(path.basename(d)))) {
            removeQuietly(dir);
            removed.push(`dir ${dir}`);
        }
        PodNetwork.removeStaleOwnerFiles(prefix);
        return removed;
    }

    private static removeStaleOwnerFiles(prefix: string): void {
        let files: string[] = [];
        try {
            files = fs.readdirSync(OWNER_DIR);
        } catch {
            return;
        }
        for (const f of files) {
            const id = f.replace(/\.owner$/, "");
            if (`${HARNESS_PREFIX}-${id}-`.startsWith(prefix) && !isProtected(id)) {
                removeQuietly(path.join(OWNER_DIR, f));
            }
        }
    }

    /**
     * Adds a pod: namespace `isbt-<id>-<n>`, veth `isbt-<id>-<n>h` on the bridge with
     * `eth0` inside, the next address, `lo`/`eth0` up, default route via the bridge.
     * Then rewrites every pod's hosts file ({@link PodNetwork.writeHosts}).
     * @param hostnames - DNS names every pod resolves to this pod (e.g. the headless-service FQDNs).
     */
    async addPod(podName: string, hostnames: string[]): Promise<Pod> {
        this.assertAlive();
        validateHostname(podName);
        hostnames.forEach(validateHostname);
        const clash = hostnames.find((h) => this.resolve(h) !== undefined);
        if (clash !== undefined || this.podList.some((p) => p.name === podName)) {
            throw new Error(`pod ${podName} or hostname ${clash ?? podName} already exists in ${this.prefix}`);
        }
        const n = this.podList.length;
        if (n >= MAX_PODS) {
            throw new Error(`at most ${MAX_PODS} pods per network`);
        }
        const pod = new Pod(podName, `${this.prefix}-${n}`, `10.254.${this.octet}.${n + 2}`, [...hostnames], this.logDir);
        this.podList.push(pod); // before creating anything, so teardown covers a partial setup
        await this.createPodNetworking(pod);
        await this.writeHosts();
        return pod;
    }

    private async createPodNetworking(pod: Pod): Promise<void> {
        const ns = pod.ns;
        await ip(["netns", "add", ns]);
        await ip(["link", "add", `${ns}h`, "type", "veth", "peer", "name", "eth0", "netns", ns]);
        await ip(["link", "set", `${ns}h`, "master", this.bridge, "up"]);
        await ip(["-n", ns, "addr", "add", `${pod.address}/24`, "dev", "eth0"]);
        await ip(["-n", ns, "link", "set", "lo", "up"]);
        await ip(["-n", ns, "link", "set", "eth0", "up"]);
        await ip(["-n", ns, "route", "add", "default", "via", this.gateway]);
    }

    /**
     * Writes `/etc/netns/<ns>/hosts` for every pod (`localhost`, then each pod's
     * address with all its hostnames; a pod's own line also carries its pod name,
     * as kubelet does) and a `resolv.conf` pointing at the pod's own loopback so
     * unknown names fail fast and no DNS query leaves the pod. Files are rewritten
     * in place, so processes already running see the update. Also writes
     * {@link PodNetwork.hostsFile} for the root namespace.
     */
    async writeHosts(): Promise<void> {
        this.assertAlive();
        for (const pod of this.podList) {
            const dir = path.join(NETNS_ETC, pod.ns);
            await fs.promises.mkdir(dir, { recursive: true });
            await fs.promises.writeFile(path.join(dir, "hosts"), this.hostsText(pod));
            await fs.promises.writeFile(path.join(dir, "resolv.conf"), "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
        }
        await fs.promises.writeFile(this.hostsFile, this.hostsText(undefined));
    }

    private hostsText(self: Pod | undefined): string {
        const lines = [
            `# written by the live-test harness for ${this.prefix}`,
            "127.0.0.1\tlocalhost",
            "::1\tlocalhost ip6-localhost ip6-loopback",
        ];
        for (const pod of this.podList) {
            const names = pod === self && !pod.hostnames.includes(pod.name) ? [...pod.hostnames, pod.name] : pod.hostnames;
            if (names.length > 0) {
                lines.push(`${pod.address}\t${names.join(" ")}`);
            }
        }
        return lines.join("\n") + "\n";
    }

    /**
     * The address of the pod having `hostname` among its hostnames (root-namespace
     * stand-in for DNS: connect to the address, use the name for TLS `servername`).
     */
    resolve(hostname: string): string | undefined {
        const wanted = hostname.toLowerCase().replace(/\.$/, "");
        return this.podList.find((p) => p.hostnames.includes(wanted))?.address;
    }

    /** The pods, in creation order. */
    pods(): Pod[] {
        return [...this.podList];
    }

    /** The pod called `podName`, if any. */
    pod(podName: string): Pod | undefined {
        return this.podList.find((p) => p.name === podName);
    }

    /** True once {@link PodNetwork.destroy} or {@link PodNetwork.destroySync} started. */
    get destroyed(): boolean {
        return this.destroying !== undefined;
    }

    /**
     * Stops every pod process (SIGTERM, SIGKILL after the grace period), kills any
     * other process left in the namespaces, deletes namespaces, veths, the bridge,
     * `/etc/netns/<ns>` dirs and (unless `keepLogs`) the temp dir. Idempotent.
     * @throws Error listing resources that could not be removed.
     */
    destroy(): Promise<void> {
        if (this.destroying === undefined) {
            this.destroying = this.destroyAsync();
        }
        return this.destroying;
    }

    private async destroyAsync(): Promise<void> {
        await Promise.allSettled(this.podList.map((p) => p.stopAll(this.graceMs)));
        this.teardownSync(this.graceMs);
    }

    /**
     * Synchronous {@link PodNetwork.destroy} (for exit handlers): pod processes get
     * `graceMs` after SIGTERM before SIGKILL. Idempotent; never throws.
     */
    destroySync(graceMs: number = EXIT_GRACE_MS): void {
        if (this.destroying !== undefined && registry.get(this.id) !== this) {
            return;
        }
        this.destroying ??= Promise.resolve();
        this.podList.forEach((p) => p.killAllSync(graceMs));
        try {
            this.teardownSync(graceMs);
        } catch (err) {
            process.stderr.write(`isbt harness: ${String(err)}\n`);
        }
    }

    private teardownSync(graceMs: number): void {
        this.podList.forEach((p) => killNetnsProcessesSync(p.ns, graceMs));
        for (const pod of this.podList) {
            ipSync(["link", "del", `${pod.ns}h`]);
            ipSync(["netns", "del", pod.ns]);
            removeQuietly(path.join(NETNS_ETC, pod.ns));
        }
        ipSync(["link", "del", this.bridge]);
        if (!this.keepLogs) {
            removeQuietly(this.logDir);
        }
        removeQuietly(ownerFile(this.id));
        if (registry.get(this.id) === this) {
            registry.delete(this.id);
        }
        if (registry.size === 0) {
            uninstallHandlers();
        }
        this.assertGone();
    }

    private assertGone(): void {
        const left = listHarnessResources(`${this.prefix}-`);
        const all = [...left.netns, ...left.links, ...left.etcDirs];
        if (all.length > 0) {
            throw new Error(`teardown of ${this.prefix} left: ${all.join(", ")}`);
        }
    }

    private register(): void {
        registry.set(this.id, this);
        installHandlers();
        fs.mkdirSync(OWNER_DIR, { recursive: true });
        fs.writeFileSync(ownerFile(this.id), `${process.pid}\n`);
    }

    private assertAlive(): void {
        if (this.destroying !== undefined) {
            throw new Error(`PodNetwork ${this.prefix} has been destroyed`);
        }
    }
}
