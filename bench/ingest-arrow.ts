import { runIngestBench } from './_ingest';

runIngestBench('ingest-arrow', 'arrow', true).catch((err) => {
  console.error(err);
  process.exit(1);
});
