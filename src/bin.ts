import { run } from "./cli.js";
import { isRenderWorker, runRenderWorker } from "./render-workers.js";

// a large fleet's render starts worker threads on this same bundle (render-workers.ts)
if (isRenderWorker()) runRenderWorker();
else void run();
