/**
 * Options every child resource gets: the component as parent, and the component's
 * `retainOnDelete`, which the Node SDK does not pass on to children by itself.
 */
import * as pulumi from "@pulumi/pulumi";

export interface ChildOptions {
    parent: pulumi.Resource;
    retainOnDelete?: boolean;
}

/** Child options of `component` created with `opts`. */
export function childOptions(component: pulumi.Resource, opts: pulumi.ComponentResourceOptions | undefined): ChildOptions {
    return { parent: component, ...(opts?.retainOnDelete !== undefined && { retainOnDelete: opts.retainOnDelete }) };
}
