import { run } from "./cli.js";

void run();
