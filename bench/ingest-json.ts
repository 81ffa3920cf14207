import { runIngestBench } from './_ingest';

runIngestBench('ingest-json', 'json').catch((err) => {
  console.error(err);
  process.exit(1);
});
