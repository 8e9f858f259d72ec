package io.numpywren.tck;

/**
 * Optional abilities of a store under test. {@link BlockStoreTck}'s tests that need one the
 * provider does not declare are skipped, and the skip names it. Every real store has both.
 */
public enum StoreCapability {
    /** The store holds objects of at least 64 MiB. */
    LARGE_BLOCKS,
    /** The store decides concurrent puts of one key atomically, so exactly one succeeds (every
     *  real store does; a stand-in that checks and then writes in two steps does not). */
    ATOMIC_CONDITIONAL_PUTS
}
