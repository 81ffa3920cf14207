import express, { Router } from 'express';
import { TableStore } from '../../store/table-store';
import { TableSchema } from '../../../../shared/contract/types';

/** The wire form of a table's columns. */
export function columnsJson(schema: TableSchema) {
  return schema.columns.map((c) => ({ name: c.name, type: c.type, semanticType: c.semanticType }));
}

/** `GET /v1/tables` lists tables with their columns and sizes; `POST /v1/tables` declares one. */
export function tableRoutes(store: TableStore): Router {
  const router = Router();
  router.get('/v1/tables', (_req, res) => {
    res.json({
      tables: store.stats().map((s) => ({
        name: s.schema.name,
        description: s.schema.description,
        columns: columnsJson(s.schema),
        rows: s.rows,
        bytes: s.bytes,
        budgetBytes: s.budgetBytes,
        firstSeq: s.firstSeq,
        lastSeq: s.lastSeq,
        builtin: s.schema.builtin,
      })),
    });
  });
  router.post('/v1/tables', express.json({ limit: '1mb' }), async (req, res) => {
    const { schema, created } = await store.declare(
      (req.body ?? {}) as { name: unknown; columns: unknown },
    );
    res
      .status(created ? 201 : 200)
      .json({ name: schema.name, columns: columnsJson(schema), created });
  });
  return router;
}
