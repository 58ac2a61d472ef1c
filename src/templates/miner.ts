// Mines message templates from training messages with Drain (src/templates/drain-tree.ts): each message joins the most
// similar template of its parse-tree leaf, whose differing positions become wildcards, or starts a new template.
// The result is a TemplateTable; matching at scoring time is src/templates/matcher.ts and learns nothing.
import { DEFAULT_DRAIN_PARAMETERS, DrainTree, WILDCARD, type DrainParameters, type TreeTemplate } from './drain-tree.js';
import { MASKS, tokenize } from './masks.js';
import { TEMPLATE_TABLE_VERSION, type TemplateTable } from './table.js';

interface Mined extends TreeTemplate {
  path: string[];
  count: number;
}

export class TemplateMiner {
  private readonly tree: DrainTree;
  private readonly templates: Mined[] = [];

  constructor(readonly params: DrainParameters = DEFAULT_DRAIN_PARAMETERS) {
    this.tree = new DrainTree(params);
  }

  /** Adds one message; returns the index of the template it joined or started (its group, as mined online). */
  add(message: string): number {
    const tokens = tokenize(message);
    const found = this.tree.match(tokens) as Mined | undefined;
    if (found) {
      const t = found.tokens;
      // positions where the template and this message differ vary: they become wildcards
      for (let i = 0; i < t.length; i++) if (t[i] !== tokens[i]) t[i] = WILDCARD;
      found.count += 1;
      return found.index;
    }
    const mined: Mined = { index: this.templates.length, tokens: [...tokens], path: [], count: 1 };
    mined.path = this.tree.insert(mined, tokens);
    this.templates.push(mined);
    return mined.index;
  }

  get size(): number {
    return this.templates.length;
  }

  /** The templates mined so far, ids in order of first appearance (`T1` is the first message's). */
  table(): TemplateTable {
    return {
      version: TEMPLATE_TABLE_VERSION,
      drain: { depth: this.params.depth, similarity: this.params.similarity, max_children: this.params.maxChildren },
      masks: MASKS.map((m) => m.name),
      templates: this.templates.map((t) => ({ id: `T${t.index + 1}`, tokens: [...t.tokens], path: [...t.path], count: t.count })),
    };
  }
}
