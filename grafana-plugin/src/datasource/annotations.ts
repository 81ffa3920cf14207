import { AnnotationQuery, AnnotationSupport, DataFrame } from '@grafana/data';
import { of } from 'rxjs';

import { framesToAnnotations } from '../data/annotations';
import { migrateQuery } from '../data/migrations';
import { PxgateQuery } from '../types/query';

/** Annotations from a script: its rows become events (see data/annotations.ts for the columns). */
export const annotationSupport: AnnotationSupport<PxgateQuery> = {
  prepareAnnotation(json: AnnotationQuery<PxgateQuery>): AnnotationQuery<PxgateQuery> {
    const target = migrateQuery({ refId: 'Anno', ...json.target });
    return { ...json, target: { ...target, format: 'table' } };
  },
  processEvents(_anno: AnnotationQuery<PxgateQuery>, frames: DataFrame[]) {
    return of(framesToAnnotations(frames));
  },
};
