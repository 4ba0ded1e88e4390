/**
 * ibm-watson-iot against the Watson IoT stand-in, at the connector: two applications with the same
 * a: client id take the connection from each other and are told so (WATSON_CLIENT_ID_CONFLICT), and
 * an API key the organization does not know is AUTH_FAILED with the documented advice.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CloudbridgeError } from '../../../src/core/errors.ts';
import { startWatsonBroker, type WatsonBroker } from '../../peers/watson-broker.ts';
import { createTestContext } from '../../support/connector-context.ts';
import { waitFor } from '../../support/wait.ts';
import { createWatsonConnector, type WatsonUnderTest } from './helpers.ts';

describe('ibm-watson-iot client id conflicts and credentials', () => {
  let watson: WatsonBroker;
  before(async () => { watson = await startWatsonBroker({ mosquitto: { persistence: false } }); });
  after(async () => { await watson?.dispose(); });

  it('two instances with the same appId keep disconnecting each other: a WATSON_CLIENT_ID_CONFLICT warning says what to do', async () => {
    // Each start may itself lose its connection to the twin before subscribing (a retryable
    // CONNECTION_FAILED): the integration runtime starts such a source again, and so does this test.
    const started: WatsonUnderTest[] = [];
    const startTwin = async (): Promise<WatsonUnderTest> => {
      for (let attempt = 1; ; attempt++) {
        const twin = createWatsonConnector(watson, { appId: 'twin' }, createTestContext());
        started.push(twin);
        try {
          await twin.source.start();
          return twin;
        } catch (err) {
          if ((err as CloudbridgeError).retryable !== true || attempt === 5) throw err;
        }
      }
    };
    try {
      const first = await startTwin();
      const second = await startTwin();
      const contexts = started.map((t) => t.ctx);
      const warning = await waitFor(() => contexts.flatMap((c) => c.warnings).find((w) => w.code === 'WATSON_CLIENT_ID_CONFLICT'), 'a conflict warning', 30_000);
      assert.match(warning.message, /closed the connection of client id "a:tst123:twin" \d+ times within 5 minutes.*use sharedSubscription or a unique appId/);
      assert.equal(warning.details?.field, 'appId');
      const disconnected = contexts.flatMap((c) => c.states).find((s) => s.state === 'disconnected');
      assert.match((disconnected?.error as CloudbridgeError | undefined)?.message ?? '', /another application connects with the same client id/);
      assert.ok(first.source.status().brokerCloses + second.source.status().brokerCloses >= 3);
    } finally {
      await Promise.all(started.map((t) => t.source.stop()));
    }
  });

  it('an API key of another organization is refused: AUTH_FAILED, not retryable, naming authToken', async () => {
    const { source } = createWatsonConnector(watson, { orgId: 'zzz999', apiKey: 'a-zzz999-k1', appId: 'foreign' });
    await assert.rejects(source.start(), (err: CloudbridgeError) => {
      assert.equal(err.code, 'AUTH_FAILED');
      assert.equal(err.retryable, false);
      assert.equal(err.details.field, 'authToken');
      assert.match(err.message, /rejected API key "a-zzz999-k1".*regenerate the API key and token/);
      assert.ok(!err.message.includes(watson.authToken));
      return true;
    });
  });
});
