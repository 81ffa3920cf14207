import { runIngestBench } from './_ingest';

runIngestBench('ingest-arrow', 'arrow').catch((err) => {
  console.error(err);
  process.exit(1);
});
