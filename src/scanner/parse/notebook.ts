/**
 * The code of a Jupyter notebook: its code cells in order. IPython magics and shell escapes
 * (`%pip`, `!ls`) are blanked (not removed) so line numbers stay those of the joined code.
 */
export function notebookCells(json: string): string[] {
  const doc = JSON.parse(json) as { cells?: unknown; worksheets?: { cells?: unknown }[] };
  const cells = Array.isArray(doc.cells) ? doc.cells : (doc.worksheets?.[0]?.cells ?? []);
  if (!Array.isArray(cells)) throw new Error('notebook has no cells array');
  const parts: string[] = [];
  for (const cell of cells as { cell_type?: string; source?: unknown; input?: unknown }[]) {
    if (cell?.cell_type !== 'code') continue;
    const src = cell.source ?? cell.input;
    const text = Array.isArray(src) ? src.join('') : typeof src === 'string' ? src : '';
    parts.push(
      text
        .split('\n')
        .map((line) => (/^\s*[%!?]/.test(line) || /^\s*\w+\s*=\s*!/.test(line) ? '' : line))
        .join('\n'),
    );
  }
  return parts;
}

/** The code cells joined, one line break between two cells. */
export function joinCells(cells: readonly string[]): string {
  return cells.join('\n');
}

export function notebookCode(json: string): string {
  return joinCells(notebookCells(json));
}

/** A cell blanked: as many line breaks as it has, so the lines after it keep their numbers. */
export function blankCell(cell: string): string {
  return '\n'.repeat(cell.split('\n').length - 1);
}
