import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocate, commissionMinor, paymentStatus } from '../../src/payments/index.ts';

test('commission rounds down to the minor unit', () => {
  assert.equal(commissionMinor(10_000n, 250n), 250n);
  assert.equal(commissionMinor(999n, 250n), 24n);
  assert.equal(commissionMinor(1n, 9_999n), 0n);
  assert.equal(commissionMinor(7n, 10_000n), 7n);
  assert.equal(commissionMinor(0n, 250n), 0n);
  assert.throws(() => commissionMinor(1n, 10_001n));
});

test('allocation fills parts in order and refuses what does not fit', () => {
  const slots = [
    { id: 'a', roomMinor: 3_000n },
    { id: 'b', roomMinor: 0n },
    { id: 'c', roomMinor: 5_000n },
  ];
  assert.deepEqual(allocate(slots, 4_000n), [
    { id: 'a', amountMinor: 3_000n },
    { id: 'c', amountMinor: 1_000n },
  ]);
  assert.deepEqual(allocate(slots, 8_000n), [
    { id: 'a', amountMinor: 3_000n },
    { id: 'c', amountMinor: 5_000n },
  ]);
  assert.equal(allocate(slots, 8_001n), null);
  assert.equal(allocate(slots, 0n), null);
  assert.equal(allocate(slots, -1n), null);
});

test('status follows the amounts', () => {
  const base = {
    amountMinor: 10_000n,
    authorizedMinor: 0n,
    capturedMinor: 0n,
    heldMinor: 0n,
    ended: null,
  } as const;
  assert.equal(paymentStatus(base), 'requires_payment');
  assert.equal(
    paymentStatus({ ...base, authorizedMinor: 4_000n, heldMinor: 4_000n }),
    'requires_payment',
  );
  assert.equal(
    paymentStatus({ ...base, authorizedMinor: 10_000n, heldMinor: 10_000n }),
    'requires_capture',
  );
  assert.equal(
    paymentStatus({ ...base, authorizedMinor: 10_000n, capturedMinor: 3_000n, heldMinor: 7_000n }),
    'partially_captured',
  );
  assert.equal(
    paymentStatus({
      ...base,
      authorizedMinor: 10_000n,
      capturedMinor: 3_000n,
      heldMinor: 0n,
      ended: 'voided',
    }),
    'succeeded',
  );
  assert.equal(
    paymentStatus({ ...base, authorizedMinor: 10_000n, heldMinor: 0n, ended: 'voided' }),
    'voided',
  );
  assert.equal(paymentStatus({ ...base, authorizedMinor: 4_000n, ended: 'expired' }), 'expired');
});
