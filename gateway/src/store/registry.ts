import { ConflictError, LimitExceededError, NotFoundError, UserError } from '../common/errors';
import { BUILTIN_SCHEMAS } from '../../../shared/contract/schemas';
import {
  ColumnSchema,
  DATA_TYPES,
  SEMANTIC_TYPES,
  SEQ_COLUMN,
  TableSchema,
} from '../../../shared/contract/types';

const NAME_RE = /^[a-z_][a-z0-9_]{0,62}$/;
const MAX_COLUMNS = 256;

/** A declaration of a custom table, as the API receives it. */
export interface TableDeclaration {
  name: unknown;
  description?: unknown;
  columns: unknown;
}

/** The one registry of table schemas: the built-in tables and those declared through the API. */
export class SchemaRegistry {
  private readonly tables = new Map<string, TableSchema>();

  constructor(private readonly maxCustomTables: number) {
    for (const schema of BUILTIN_SCHEMAS) this.tables.set(schema.name, schema);
  }

  /** Returns the schema of a table, or throws naming the table and the nearest known names. */
  get(name: string): TableSchema {
    const schema = this.tables.get(name);
    if (!schema) throw this.unknownTable(name);
    return schema;
  }

  /** The error for a table name that is not registered, listing the known ones. */
  unknownTable(name: string): NotFoundError {
    return new NotFoundError(`unknown table "${name}"; known tables: ${this.names().join(', ')}`);
  }

  find(name: string): TableSchema | undefined {
    return this.tables.get(name);
  }

  names(): string[] {
    return [...this.tables.keys()];
  }

  all(): TableSchema[] {
    return [...this.tables.values()];
  }

  /**
   * Validates a custom table declaration. Declaring a table that exists with the same columns is
   * accepted (returns false); with different columns it is a conflict: schemas are fixed until restart.
   */
  validateDeclaration(decl: TableDeclaration): { schema: TableSchema; isNew: boolean } {
    const schema = parseDeclaration(decl);
    const existing = this.tables.get(schema.name);
    if (existing) {
      if (existing.builtin) {
        throw new ConflictError(`table "${schema.name}" is built in and cannot be redeclared`);
      }
      if (!sameColumns(existing.columns, schema.columns)) {
        throw new ConflictError(
          `table "${schema.name}" already exists with different columns; a schema is fixed until the gateway restarts`,
        );
      }
      return { schema: existing, isNew: false };
    }
    const custom = this.all().filter((t) => !t.builtin).length;
    if (custom >= this.maxCustomTables) {
      throw new LimitExceededError(
        `cannot declare table "${schema.name}": the limit of ${this.maxCustomTables} custom tables is reached (store.maxCustomTables)`,
      );
    }
    return { schema, isNew: true };
  }

  /** Adds a validated schema. */
  add(schema: TableSchema): void {
    this.tables.set(schema.name, schema);
  }
}

function parseDeclaration(decl: TableDeclaration): TableSchema {
  if (typeof decl.name !== 'string' || !NAME_RE.test(decl.name)) {
    throw new UserError(
      `table name must match ${NAME_RE.source} (lowercase letters, digits and _; at most 63 characters)`,
    );
  }
  const name = decl.name;
  if (!Array.isArray(decl.columns) || decl.columns.length === 0) {
    throw new UserError(`table "${name}": "columns" must be a non-empty array`);
  }
  if (decl.columns.length > MAX_COLUMNS) {
    throw new UserError(`table "${name}": at most ${MAX_COLUMNS} columns are allowed`);
  }
  const seen = new Set<string>();
  const columns = decl.columns.map((raw: unknown, i: number): ColumnSchema => {
    const c = (raw ?? {}) as Record<string, unknown>;
    const where = `table "${name}", column ${i}`;
    if (typeof c.name !== 'string' || !NAME_RE.test(c.name) || c.name === SEQ_COLUMN) {
      throw new UserError(`${where}: name must match ${NAME_RE.source} and not be "${SEQ_COLUMN}"`);
    }
    if (seen.has(c.name)) throw new UserError(`${where}: duplicate column "${c.name}"`);
    seen.add(c.name);
    if (typeof c.type !== 'string' || !(DATA_TYPES as readonly string[]).includes(c.type)) {
      throw new UserError(`${where} ("${c.name}"): type must be one of ${DATA_TYPES.join(', ')}`);
    }
    const semanticType = c.semanticType ?? 'ST_NONE';
    if (
      typeof semanticType !== 'string' ||
      !(SEMANTIC_TYPES as readonly string[]).includes(semanticType)
    ) {
      throw new UserError(
        `${where} ("${c.name}"): unknown semanticType ${JSON.stringify(semanticType)}`,
      );
    }
    return {
      name: c.name,
      type: c.type as ColumnSchema['type'],
      semanticType: semanticType as ColumnSchema['semanticType'],
      ...(typeof c.description === 'string' ? { description: c.description } : {}),
    };
  });
  const description = typeof decl.description === 'string' ? decl.description : '';
  return { name, description, columns, builtin: false };
}

function sameColumns(a: readonly ColumnSchema[], b: readonly ColumnSchema[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (c, i) =>
        c.name === b[i]!.name && c.type === b[i]!.type && c.semanticType === b[i]!.semanticType,
    )
  );
}
