import { counted } from '../../core/figures.js';
import { pct } from '../counts.js';
import { contaminatedRepos } from '../gates.js';
import { table } from '../histogram.js';
import type { Section } from './types.js';

const LISTED_CLUSTERS = 10;

export const duplicatesSection: Section = {
  id: 'duplicates',
  title: 'Duplicates',
  build({ stats, thresholds, manifest }) {
    const eff = stats.effective;
    const clusters = stats.clusters.size;
    const hashed = stats.topologyRows;
    let inClusters = 0;
    let large = 0;
    let inLarge = 0;
    for (const c of stats.clusters.values()) {
      inClusters += c.count;
      if (c.count >= 10) {
        large++;
        inLarge += c.count;
      }
    }
    const biggest = [...stats.clusters]
      .sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]))
      .slice(0, LISTED_CLUSTERS)
      .map(([hash, c]) => ({ topology_signature_hash: hash, members: c.count, sample_members: c.samples }));
    // Redundant copies: every member of a cluster beyond its first.
    const redundant = inClusters - clusters;
    const contaminated = contaminatedRepos(stats, thresholds.g5MinOthers);
    const forkFamilies = manifest
      ? { manifest_forks: manifest.forks, families: manifest.repos.families }
      : null;
    const data = {
      repos_with_hash: hashed,
      distinct_hashes: stats.topologyHashes.size,
      clusters,
      repos_in_clusters: inClusters,
      clusters_of_10_plus: large,
      repos_in_clusters_of_10_plus: inLarge,
      contamination_rate: eff ? redundant / eff : 0,
      redundant_copies: redundant,
      repos_sharing_with_min_others: contaminated,
      min_others: thresholds.g5MinOthers,
      largest_clusters: biggest,
      fork_families: forkFamilies,
    };
    const md = [
      `${hashed} success + partial repositories carry ${stats.topologyHashes.size} distinct topology_signature_hash values. ` +
        `${counted(clusters, 'hash', 'hashes')} shared (clusters of 2+, ${counted(inClusters, 'repo')}); ${counted(large, 'cluster')} with 10+ members (${counted(inLarge, 'repo')}).`,
      '',
      `Contamination rate (redundant copies: cluster members beyond the first, over effective repos): ` +
        `**${pct(redundant, eff, 2)}** (${redundant} of ${eff}). ` +
        `Repos sharing their hash with ≥ ${thresholds.g5MinOthers} others: ${contaminated} (${pct(contaminated, eff, 2)}).`,
      '',
      biggest.length
        ? table(
            ['topology hash', 'members', 'sample members'],
            biggest.map((c) => [c.topology_signature_hash, c.members, c.sample_members.join(', ')]),
          )
        : '_No shared topology hash._',
      '',
      forkFamilies
        ? `Fork families (manifest fork_parent): ${forkFamilies.manifest_forks} forks of ${forkFamilies.families} parents. ` +
          'The split keeps each topology cluster and each fork family on one side.'
        : '_No manifest: fork families unknown._',
    ];
    return { data, markdown: md.join('\n') };
  },
};
