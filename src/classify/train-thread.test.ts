import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from './corpus.ts';
import { Qualifier, type SerializedModel } from './qualifier.ts';
import { trainGzippedInThread } from './train-thread.ts';

describe('training on a thread of its own', () => {
  it('gives the model the main thread would train, while the main thread keeps running', async () => {
    const { examples } = loadCorpus();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const bytes = await trainGzippedInThread({ examples, version: 'thread-test' });
    clearInterval(timer);
    // Training the corpus takes seconds of CPU; on the main thread no timer would fire until it ended.
    expect(ticks).toBeGreaterThan(20);
    const fromThread = JSON.parse(gunzipSync(bytes).toString('utf8')) as SerializedModel;
    // Same model, weight for weight (compared through JSON, which is how it is stored: -0 reads back as 0).
    expect(fromThread).toEqual(JSON.parse(JSON.stringify(Qualifier.train(examples, { version: 'thread-test' }).serialize())));
    const text = 'L’expert a chiffré mon dégât des eaux à 300 euros, je conteste le montant de l’indemnisation.';
    expect(Qualifier.deserialize(fromThread).qualify(text).cause.label).toBe('indemnisation');
  });

  it('rejects with the reason when training fails, and the training asked for meanwhile still runs', async () => {
    const broken = [{ text: null, kind: 'reclamation', cause: 'autre', product: 'autre', priority: 'normale' }] as never;
    const small = loadCorpus().examples.slice(0, 200);
    const [failed, next] = await Promise.allSettled([trainGzippedInThread({ examples: broken, version: 'broken' }), trainGzippedInThread({ examples: small, version: 'after' })]);
    expect(failed.status === 'rejected' && String(failed.reason)).toMatch(/^Error: model training failed: /);
    expect(next.status === 'fulfilled' && (JSON.parse(gunzipSync(next.value).toString('utf8')) as SerializedModel).version).toBe('after');
  });
});
