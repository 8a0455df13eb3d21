import { describe, expect, it } from 'vitest';
import type { RuleEvent } from '../../../core/types.js';
import { judge } from '../../../eval/scenarios/judge.js';

const START = 1_000_000;

function confirmed(firstSeenS: number, confirmedAtS: number): RuleEvent {
  const ms = (s: number) => START + s * 1000;
  return {
    type: 'confirmed',
    incidentId: `cam:kerb:${ms(firstSeenS)}`,
    cameraId: 'cam',
    zoneId: 'kerb',
    kind: 'no_parking',
    firstSeen: ms(firstSeenS),
    confirmedAt: ms(confirmedAtS),
    lastSeen: ms(confirmedAtS),
    ts: ms(confirmedAtS),
    subject: { box: [0, 0, 1, 1], label: 'car', score: 0.9 },
    frameSize: { width: 960, height: 540 },
  };
}

describe('judge: incidents against the truth', () => {
  const opts = { startAt: START, everyS: 5, dwellS: 20 };

  it('a ticket for each stay, begun when the car arrived (within a sample), is a true positive with its dwell error', () => {
    const j = judge([confirmed(7, 27), confirmed(64, 89)], [{ firstSeenS: 4, leftS: 50 }, { firstSeenS: 60, leftS: 120 }], opts);
    expect(j).toMatchObject({ tp: 2, fp: 0, fn: 0 });
    expect(j.dwellErrorsS).toEqual([3, 9]);
  });

  it('a second ticket for one stay, and a ticket for a stay cut in two (begun long after arrival), are false positives', () => {
    const j = judge([confirmed(4, 24), confirmed(5, 25), confirmed(30, 50)], [{ firstSeenS: 4, leftS: 70 }], opts);
    expect(j).toMatchObject({ tp: 1, fp: 2, fn: 0 });
  });

  it('a stay nobody ticketed is a miss; clearing events are not tickets', () => {
    const cleared = { ...confirmed(4, 24), type: 'cleared' as const };
    expect(judge([cleared], [{ firstSeenS: 4, leftS: 70 }], opts)).toMatchObject({ tp: 0, fp: 0, fn: 1 });
  });

  it('allows one sampling interval of lateness: the same ticket is late at 2 s sampling and on time at 10 s', () => {
    const truth = [{ firstSeenS: 4, leftS: 70 }];
    expect(judge([confirmed(14, 34)], truth, { ...opts, everyS: 2 })).toMatchObject({ tp: 0, fp: 1, fn: 1 });
    expect(judge([confirmed(14, 34)], truth, { ...opts, everyS: 10 })).toMatchObject({ tp: 1, fp: 0, fn: 0 });
  });
});
