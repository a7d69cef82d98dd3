/** Root setup of the unit tests, loaded once through `.mocharc.json`: installs the mock runtime. */
import { installMocks } from "../../sim/runtime/mock-runtime";

void installMocks();
