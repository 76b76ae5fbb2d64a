import { articleDecider, type ArticleChanges, type ArticleDetails, type ArticleEvent } from '../domain/article/article.js';
import { locationDecider, type LocationDetails, type LocationEvent } from '../domain/location/location.js';
import type { CommandMetadata } from '../domain/metadata.js';
import { streamName } from '../eventstore/stream-name.js';
import type { CommandDependencies } from './command-context.js';
import { handleStreamCommand, type StreamCommandResult } from './single-stream.js';

/** Commands on the catalog (articles) and the warehouse tree (locations). */
export class CatalogCommands {
  constructor(private readonly dependencies: CommandDependencies) {}

  /** Registers an article; a SKU already taken in the tenant is refused (DuplicateSku). */
  async registerArticle(metadata: CommandMetadata, details: ArticleDetails): Promise<StreamCommandResult<ArticleEvent>> {
    return await this.article(metadata, details.sku, { type: 'RegisterArticle', data: details });
  }

  /** Changes an article's master data; `ifMatch` is the revision the caller last saw. */
  async updateArticle(metadata: CommandMetadata, sku: string, changes: ArticleChanges, ifMatch?: bigint): Promise<StreamCommandResult<ArticleEvent>> {
    return await this.article(metadata, sku, { type: 'UpdateArticle', data: { sku, changes } }, ifMatch);
  }

  /** Archives an article: it takes no new stock or reservations from then on. */
  async archiveArticle(metadata: CommandMetadata, sku: string): Promise<StreamCommandResult<ArticleEvent>> {
    return await this.article(metadata, sku, { type: 'ArchiveArticle', data: { sku } });
  }

  /** Creates a location in the warehouse tree; its parent must exist. */
  async createLocation(metadata: CommandMetadata, details: LocationDetails): Promise<StreamCommandResult<LocationEvent>> {
    const parentFacts =
      details.parent === undefined
        ? undefined
        : { exists: (await this.dependencies.cache.load(streamName(metadata.tenant, 'location', details.parent), locationDecider)).state.status !== 'none' };
    return await handleStreamCommand(
      this.dependencies,
      streamName(metadata.tenant, 'location', details.code),
      locationDecider,
      { type: 'CreateLocation', data: { ...details, ...(parentFacts ? { parentFacts } : {}) } },
      metadata,
    );
  }

  /** Blocks a location: no stock goes in or out until it is unblocked. */
  async blockLocation(metadata: CommandMetadata, code: string, reason?: string): Promise<StreamCommandResult<LocationEvent>> {
    const data = reason === undefined ? { code } : { code, reason };
    return await handleStreamCommand(this.dependencies, streamName(metadata.tenant, 'location', code), locationDecider, { type: 'BlockLocation', data }, metadata);
  }

  /** Unblocks a location. */
  async unblockLocation(metadata: CommandMetadata, code: string): Promise<StreamCommandResult<LocationEvent>> {
    return await handleStreamCommand(
      this.dependencies,
      streamName(metadata.tenant, 'location', code),
      locationDecider,
      { type: 'UnblockLocation', data: { code } },
      metadata,
    );
  }

  private async article(
    metadata: CommandMetadata,
    sku: string,
    command: Parameters<typeof articleDecider.decide>[0],
    ifMatch?: bigint,
  ): Promise<StreamCommandResult<ArticleEvent>> {
    return await handleStreamCommand(this.dependencies, streamName(metadata.tenant, 'article', sku), articleDecider, command, metadata, ifMatch);
  }
}
