import { parentPort } from 'node:worker_threads';
import { ParseCache } from '../parse/parse-cache';
import { prepareScript, schemaList } from '../prepare';
import { CompileReply, CompileRequest, READY, toFailure } from './protocol';

/**
 * The compile worker's thread: prepares one script per message (parse, plan, check, compile)
 * and answers with the statements or the error. It keeps its own cache of syntax trees.
 */
const parsed = new ParseCache();

parentPort!.on('message', (request: CompileRequest) => {
  let reply: CompileReply;
  try {
    const prepared = prepareScript(
      parsed,
      schemaList(request.tables),
      request.script,
      request.limits,
      request.opts,
    );
    reply = { ok: true, prepared };
  } catch (err) {
    reply = { ok: false, error: toFailure(err) };
  }
  parentPort!.postMessage(reply);
});

parentPort!.postMessage(READY);
