export { expireDueHolds } from './expire-holds.ts';
export { runWorkerPass, startWorker, type PassReport, type WorkerDeps } from './worker.ts';
