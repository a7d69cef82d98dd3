/** Root setup of the unit tests, loaded once through `.mocharc.json`: installs the mock runtime. */
import { installMocks } from "./mock-runtime";

void installMocks();
