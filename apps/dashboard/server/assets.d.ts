declare module "virtual:assets" {
  const assets: { html: string; files: Record<string, { type: string; body: string }> };
  export default assets;
}
