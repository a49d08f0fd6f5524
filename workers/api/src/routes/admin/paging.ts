import { z } from 'zod';
import { MAX_OFFSET, MAX_PAGE_SIZE } from '../../../../core/src/store/shared';

/**
 * `page` and `page_size` of every admin list: bounded, and never reaching
 * past MAX_OFFSET rows, so a huge page is a 400 naming the field, never a
 * store error.
 */
export function pagingShape(defaultSize: number) {
  return {
    page: z.coerce.number().int().min(1).max(MAX_OFFSET).default(1),
    page_size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(defaultSize),
  };
}

export function withinOffset(query: { page: number; page_size: number }): boolean {
  return (query.page - 1) * query.page_size <= MAX_OFFSET;
}

export const OFFSET_MESSAGE = { path: ['page'], message: `page × page_size reaches past the first ${MAX_OFFSET} rows; narrow the filters instead` };
