package io.jlivepeer.chain;

/**
 * The protocol round as of one block.
 *
 * @param round the current round number
 * @param initialized whether initializeRound() has run for it
 * @param locked whether transcoder parameters are frozen for the rest of the round
 * @param startBlock the round's first block
 * @param lastInitializedRound the newest initialized round (tickets are created against it)
 * @param lastInitializedBlockHash 0x-hex block hash stored for that round
 * @param blockNumber the block these facts were read at
 */
public record RoundInfo(
    long round,
    boolean initialized,
    boolean locked,
    long startBlock,
    long lastInitializedRound,
    String lastInitializedBlockHash,
    long blockNumber) {}
