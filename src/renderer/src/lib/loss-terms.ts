/** Names of the loss terms the trainer reports (src/ml/train.ts), in words and in method.md's symbols. */

const LOSS_TERM_LABELS: Readonly<Record<string, string>> = {
  loss: 'Total loss (scaled)',
  rec: 'Reconstruction error',
  kld: 'Hyperspherical divergence (KLD)',
  angle_mu: 'Angles of μ, Lφ(μ)',
  radius_mu: 'Radius of μ, Lr(μ)',
  angle_sigma: 'Angles of σ, Lφ(σ)',
  radius_sigma: 'Radius of σ, Lr(σ)',
  kl: 'KL divergence (VAE)',
  beta: 'β (effective)',
};

/** Display order: total and reconstruction first, then the divergence and its parts, then anything new. */
const ORDER = ['loss', 'rec', 'kld', 'kl', 'angle_mu', 'radius_mu', 'angle_sigma', 'radius_sigma', 'beta'];

export function lossTermLabel(term: string): string {
  return LOSS_TERM_LABELS[term] ?? term.replace(/_/g, ' ');
}

export function sortLossTerms(terms: Iterable<string>): string[] {
  const rank = (term: string): number => {
    const position = ORDER.indexOf(term);
    return position === -1 ? ORDER.length : position;
  };
  return [...new Set(terms)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
