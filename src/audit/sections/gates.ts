import { table } from '../histogram.js';
import type { Section } from './types.js';

export const gatesSection: Section = {
  id: 'gates',
  title: 'Quality gates',
  build({ gates }) {
    const passed = gates.filter((g) => g.pass).length;
    const md = [
      `${passed} of ${gates.length} gates pass.`,
      '',
      table(
        ['gate', 'name', 'result', 'evidence'],
        gates.map((g) => [g.id, g.name, g.verdict === 'FAIL' ? '**FAIL**' : g.verdict, g.evidence]),
      ),
    ];
    return { data: { passed, total: gates.length, gates }, markdown: md.join('\n') };
  },
};
