// Unit tests of the dashboard chart's geometry (node --test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { niceMax, chartGeometry } from '../../main/resources/admin-ui/js/chart.js';

test('niceMax rounds up to 1, 2 or 5 times a power of ten', () => {
  assert.equal(niceMax(0), 1);
  assert.equal(niceMax(1), 1);
  assert.equal(niceMax(3), 5);
  assert.equal(niceMax(7), 10);
  assert.equal(niceMax(11), 20);
  assert.equal(niceMax(199), 200);
});

test('chartGeometry spreads the minutes over the plot and scales counts to the nice maximum', () => {
  const g = chartGeometry([{ label: 'xmpp → matrix', values: [0, 5, 10] }], 136, 130);
  assert.equal(g.max, 10);
  assert.deepEqual(g.ticks, [0, 5, 10]);
  // plot: left 36, right 128, top 8, bottom 108
  assert.equal(g.lines[0].points, '36,108 82,58 128,8');
  assert.equal(g.lines[0].total, 15);
  assert.equal(g.lines[0].label, 'xmpp → matrix');
});

test('chartGeometry of no series has an axis from 0 to 1 and no lines', () => {
  const g = chartGeometry([], 640, 200);
  assert.equal(g.max, 1);
  assert.deepEqual(g.lines, []);
});
