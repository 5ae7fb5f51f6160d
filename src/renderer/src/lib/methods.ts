/** The training methods, as people know them. */
const METHOD_NAMES: Readonly<Record<string, string>> = {
  comp: 'Comp.VAE',
  vmf: 'Comp.VAE (vMF)',
  vae: 'VAE',
  ae: 'Autoencoder',
  'pixel-knn': 'Pixel k-NN',
  'pixel-iforest': 'Pixel Isolation Forest',
};

export function methodName(method: string): string {
  return METHOD_NAMES[method] ?? method;
}
