// The template table a model bundle carries (in the syslog adapter's options, so every scoring path rebuilds the
// same matcher): the Drain parameters it was mined with, and per template its id, tokens, the parse-tree path it was
// placed at and how many training messages it took. Parsed with zod where it enters (adapter options).
import { z } from 'zod';

export const TEMPLATE_TABLE_VERSION = 1;

/** The template id of a message no template matches (scoring never learns new templates). */
export const UNMATCHED = '<unmatched>';

export const DrainParametersSchema = z
  .object({
    depth: z.number().int().min(3).max(16),
    similarity: z.number().min(0).max(1),
    max_children: z.number().int().min(2),
  })
  .strict();

export const TemplateTableSchema = z
  .object({
    version: z.literal(TEMPLATE_TABLE_VERSION),
    drain: DrainParametersSchema,
    /** The masks' names in table order (src/templates/masks.ts): a table mined with other masks is refused. */
    masks: z.array(z.string()),
    templates: z.array(
      z
        .object({
          id: z.string().regex(/^T\d+$/),
          tokens: z.array(z.string()),
          /** The parse tree keys below the length node (a token or `<*>`). */
          path: z.array(z.string()),
          /** Training messages the template took. */
          count: z.number().int().min(0),
        })
        .strict(),
    ),
  })
  .strict();

export type TemplateTable = z.infer<typeof TemplateTableSchema>;
export type DrainParametersJson = z.infer<typeof DrainParametersSchema>;
