/**
 * The worker thread of seal-chain.ts: given the link to start from (workerData.link), it turns
 * each page of events it is sent, jsonb text as the store holds it, into their chain links, in
 * order, keeping the chain's last link between pages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { chainLinksOfPage, type ChainPageEvent } from './seal-chain-page.js';

let link = (workerData as { link: string }).link;

parentPort?.on('message', (events: readonly ChainPageEvent[]) => {
  const links = chainLinksOfPage(link, events);
  link = links.at(-1) ?? link;
  parentPort?.postMessage(links);
});
