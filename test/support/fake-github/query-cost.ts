import { type DocumentNode, Kind, type SelectionSetNode, type ValueNode } from 'graphql';

/**
 * GitHub's documented GraphQL rate-limit cost of a query (docs "Rate limits and query limits
 * for the GraphQL API"): add up the requests needed to fill each connection, assuming every
 * `first`/`last` is reached (a connection under a parent connection is requested once per
 * parent node), divide by 100, round, at least 1. Blob fields such as `object(expression:)`
 * are not connections and cost nothing by this formula.
 */
export function queryCost(document: DocumentNode, variables: Record<string, unknown>): number {
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d]] : [])),
  );
  let requests = 0;
  const argumentValue = (v: ValueNode): unknown =>
    v.kind === Kind.VARIABLE ? variables[v.name.value] : v.kind === Kind.INT ? Number(v.value) : undefined;
  const walk = (set: SelectionSetNode | undefined, parents: number) => {
    for (const sel of set?.selections ?? []) {
      if (sel.kind === Kind.INLINE_FRAGMENT) walk(sel.selectionSet, parents);
      else if (sel.kind === Kind.FRAGMENT_SPREAD) walk(fragments.get(sel.name.value)?.selectionSet, parents);
      else {
        const size = sel.arguments
          ?.filter((a) => a.name.value === 'first' || a.name.value === 'last')
          .map((a) => argumentValue(a.value))
          .find((n): n is number => typeof n === 'number');
        if (size !== undefined) {
          requests += parents;
          walk(sel.selectionSet, parents * size);
        } else walk(sel.selectionSet, parents);
      }
    }
  };
  for (const d of document.definitions) if (d.kind === Kind.OPERATION_DEFINITION) walk(d.selectionSet, 1);
  return Math.max(1, Math.round(requests / 100));
}
