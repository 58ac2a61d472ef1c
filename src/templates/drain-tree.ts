// Drain's fixed-depth parse tree (He et al., ICWS 2017), shared by the miner (training) and the matcher (scoring):
// the root's children are message lengths, the levels below them the first tokens of a message, and each leaf holds
// the templates (log groups) reached by that path. A message is compared only with the templates of its leaf, by
// the share of positions where the template has the message's token.

/** The wildcard of a template position that varies between its messages. */
export const WILDCARD = '<*>';

export interface DrainParameters {
  /** Levels of the tree counting the root and the leaves: `depth - 2` first tokens route a message (drain3: 4). */
  depth: number;
  /** Least share of a template's positions equal to a message's tokens for the message to join it (drain3: 0.4). */
  similarity: number;
  /** Most children of an inner node; tokens past it share the wildcard child (drain3: 100). */
  maxChildren: number;
}

export const DEFAULT_DRAIN_PARAMETERS: Readonly<DrainParameters> = Object.freeze({ depth: 4, similarity: 0.4, maxChildren: 100 });

/** A template as the tree holds it: its index in the template table and its tokens. */
export interface TreeTemplate {
  readonly index: number;
  tokens: string[];
}

interface Node {
  children: Map<string, Node>;
  templates: TreeTemplate[];
}

function newNode(): Node {
  return { children: new Map(), templates: [] };
}

const DIGIT = /\d/;

/**
 * How many first tokens route a message of `length` tokens: `depth - 2` tree levels below the root, the length
 * level among them, and never the message's last token, so that a leaf's templates differ somewhere after the path.
 */
function routedTokens(length: number, depth: number): number {
  return Math.max(0, Math.min(depth - 2, length) - 1);
}

/** The share of the template's positions holding the message's token, and how many wildcards the template has. */
export function similarity(template: readonly string[], tokens: readonly string[]): { sim: number; wildcards: number } {
  if (template.length === 0) return { sim: 1, wildcards: 0 };
  let same = 0;
  let wildcards = 0;
  for (let i = 0; i < template.length; i++) {
    const t = template[i];
    if (t === WILDCARD) wildcards++;
    else if (t === tokens[i]) same++;
  }
  return { sim: same / template.length, wildcards };
}

export class DrainTree {
  private readonly root = newNode();

  constructor(readonly params: DrainParameters) {}

  /** The leaf a message's tokens reach, or undefined when no path fits them (matching then fails). */
  private findLeaf(tokens: readonly string[]): Node | undefined {
    let node = this.root.children.get(String(tokens.length));
    const routed = routedTokens(tokens.length, this.params.depth);
    for (let i = 0; node && i < routed; i++) {
      const token = tokens[i] as string;
      node = node.children.get(token) ?? node.children.get(WILDCARD);
    }
    return node;
  }

  /** The most similar template of the message's leaf at or above the threshold (ties: the one with more wildcards). */
  match(tokens: readonly string[]): TreeTemplate | undefined {
    const leaf = this.findLeaf(tokens);
    if (!leaf) return undefined;
    let best: TreeTemplate | undefined;
    let bestSim = -1;
    let bestWildcards = -1;
    for (const t of leaf.templates) {
      const { sim, wildcards } = similarity(t.tokens, tokens);
      if (sim > bestSim || (sim === bestSim && wildcards > bestWildcards)) {
        best = t;
        bestSim = sim;
        bestWildcards = wildcards;
      }
    }
    return best && bestSim >= this.params.similarity ? best : undefined;
  }

  /**
   * Places a new template at the leaf of `tokens` (a message's), growing the path: a token with digits, or one that
   * would pass the node's child limit, takes the wildcard child. Returns the path's keys below the length node, which
   * the template table stores so the matcher can rebuild the same tree.
   */
  insert(template: TreeTemplate, tokens: readonly string[]): string[] {
    const length = String(tokens.length);
    let node: Node | undefined = this.root.children.get(length);
    if (!node) this.root.children.set(length, (node = newNode()));
    const path: string[] = [];
    const routed = routedTokens(tokens.length, this.params.depth);
    for (let i = 0; i < routed; i++) {
      const token = tokens[i] as string;
      let key = token;
      if (!node.children.has(token)) {
        const room = node.children.size + (node.children.has(WILDCARD) ? 0 : 1) < this.params.maxChildren;
        if (DIGIT.test(token) || !room) key = WILDCARD;
      }
      let child: Node | undefined = node.children.get(key);
      if (!child) node.children.set(key, (child = newNode()));
      node = child;
      path.push(key);
    }
    node.templates.push(template);
    return path;
  }

  /** Places a stored template at its stored path (the matcher's rebuild). */
  place(template: TreeTemplate, length: number, path: readonly string[]): void {
    let node: Node | undefined = this.root.children.get(String(length));
    if (!node) this.root.children.set(String(length), (node = newNode()));
    for (const key of path) {
      let child: Node | undefined = node.children.get(key);
      if (!child) node.children.set(key, (child = newNode()));
      node = child;
    }
    node.templates.push(template);
  }
}
