package io.jlivepeer.chain;

/** Told about round changes by a {@link RoundWatcher}; both methods run on the watcher's thread and must not block. */
public interface RoundListener {
  /** After every new block, with the round state read at that block. */
  default void roundState(RoundInfo info) {}

  /** When the round number changes (the first observation counts as a change). */
  default void newRound(RoundInfo info) {}
}
