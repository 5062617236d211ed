import type { AddressInfo } from 'node:net';
import { readConfig, type ShopConfig } from './config.ts';
import { createOnePin } from './onepin.ts';
import { shopServer } from './server.ts';
import { Shop } from './shop.ts';

/** `npm start`: the demo shop, configured from the environment (see README.md). */
let config: ShopConfig;
try {
  config = readConfig();
} catch (error) {
  console.error(`OnePIN Demo Shop: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
const api = createOnePin(config);
let publicUrl = config.publicUrl ?? '';
const shop = new Shop(api, config.webhookSecret, () => `${publicUrl}/return`);
const server = shopServer(shop, config.webhookSecret);

server.listen(config.port, config.host, () => {
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  if (publicUrl === '') publicUrl = `http://${host}:${port}`;
  console.log(`OnePIN Demo Shop is running at ${publicUrl} (gateway ${config.gatewayUrl})`);
});

const stop = (): void => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
