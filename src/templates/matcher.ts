// Matches messages to the templates of a stored table (the parse tree rebuilt at the paths the miner placed them),
// never adding one: a message no template matches gets UNMATCHED. Counts both, for the unmatched share.
import { ConfigError } from '../core/errors.js';
import { DrainTree } from './drain-tree.js';
import { MASKS, tokenize } from './masks.js';
import { UNMATCHED, type TemplateTable } from './table.js';

export class TemplateMatcher {
  private readonly tree: DrainTree;
  private readonly ids: string[];
  matched = 0;
  unmatched = 0;

  constructor(readonly table: TemplateTable) {
    const masks = MASKS.map((m) => m.name).join(',');
    if (table.masks.join(',') !== masks) {
      throw new ConfigError('adapter_options.templates.masks', `the table was mined with masks ${table.masks.join(',')}; this version masks ${masks}: mine the templates again (train)`);
    }
    this.tree = new DrainTree({ depth: table.drain.depth, similarity: table.drain.similarity, maxChildren: table.drain.max_children });
    this.ids = table.templates.map((t) => t.id);
    table.templates.forEach((t, index) => {
      const routed = t.path.length;
      if (routed > Math.max(0, table.drain.depth - 3) || t.path.some((key, i) => key !== t.tokens[i] && key !== '<*>')) {
        throw new ConfigError(`adapter_options.templates.templates[${index}].path`, `path ${JSON.stringify(t.path)} does not lead to template ${t.id}'s tokens at depth ${table.drain.depth}`);
      }
      this.tree.place({ index, tokens: t.tokens }, t.tokens.length, t.path);
    });
  }

  /** The id of the template a message matches, or UNMATCHED. */
  match(message: string): string {
    const found = this.tree.match(tokenize(message));
    if (!found) {
      this.unmatched += 1;
      return UNMATCHED;
    }
    this.matched += 1;
    return this.ids[found.index] as string;
  }
}
