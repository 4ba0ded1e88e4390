/**
 * The counter behind every `*_total` metric (src/app/scraped-metrics.ts), scraped as Prometheus
 * does: each scrape shows the totals read then (not a sum over scrapes), a total at 0 is a series, a
 * total that starts over (restart, lease taken over) is shown as it is, and a value no counter can
 * have leaves that series out instead of failing the scrape.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { registerScrapedCounter, type MetricSample } from '../../src/app/scraped-metrics.ts';

describe('scraped counter', () => {
  it('exposes the totals read at each scrape as a counter', async () => {
    const registry = new Registry();
    let totals: Array<MetricSample<'kind'>> = [[{ kind: 'a' }, 0], [{ kind: 'b' }, 5]];
    registerScrapedCounter(registry, { name: 'test_rows_total', help: 'Rows.', labelNames: ['kind'] }, () => totals);
    const first = await registry.metrics();
    assert.match(first, /^# TYPE test_rows_total counter$/m);
    assert.match(first, /^test_rows_total\{kind="a"\} 0$/m);
    assert.match(first, /^test_rows_total\{kind="b"\} 5$/m);
    totals = [[{ kind: 'b' }, 7]];
    const second = await registry.metrics();
    assert.match(second, /^test_rows_total\{kind="b"\} 7$/m, 'the total read now, not 5 + 7');
    assert.doesNotMatch(second, /kind="a"/, 'a series no longer read is gone');
    totals = [[{ kind: 'b' }, 0]];
    assert.match(await registry.metrics(), /^test_rows_total\{kind="b"\} 0$/m, 'a total that started over');
  });

  it('a counter without labels; a negative or non-finite value leaves its series out, the scrape still answers', async () => {
    const registry = new Registry();
    let deaths = 3;
    registerScrapedCounter(registry, { name: 'test_deaths_total', help: 'Deaths.' }, () => [[{}, deaths]]);
    registerScrapedCounter(registry, { name: 'test_bad_total', help: 'Bad.', labelNames: ['k'] }, () => [[{ k: 'neg' }, -1], [{ k: 'nan' }, Number.NaN], [{ k: 'inf' }, Infinity], [{ k: 'ok' }, 2]]);
    const text = await registry.metrics();
    assert.match(text, /^test_deaths_total 3$/m);
    assert.match(text, /^test_bad_total\{k="ok"\} 2$/m);
    assert.doesNotMatch(text, /k="(neg|nan|inf)"/);
    deaths = 4;
    assert.match(await registry.metrics(), /^test_deaths_total 4$/m);
  });
});
