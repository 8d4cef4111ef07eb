/** Worker thread: parse one byte range of a strace log (strace-ranges.ts). */
import { workerReply } from '../../util/worker.js';
import { parseStraceRange } from './strace-ranges.js';

void workerReply(parseStraceRange);
