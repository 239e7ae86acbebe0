package io.jlivepeer.payments;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Winning tickets, persisted in SQLite ({@value #FILE_NAME} in the data dir, WAL mode, synchronous inserts) so that
 * they survive a crash, and redeemed oldest first once their params have expired. Every ticket moves from QUEUED to
 * exactly one final state (REDEEMED with its tx hash, DROPPED, FAILED) and is never sent again after that; a crash
 * between sending and recording is caught by the contract, which answers "ticket is used".
 *
 * <p>Thread-safe; one instance per database file. {@link #redeemDue()} is meant to be called by one scheduler.
 */
public final class RedemptionQueue implements WinningTickets, AutoCloseable {
  public static final String FILE_NAME = "tickets.sqlite";

  /**
   * Where a ticket stands. FORWARDED: an orchestrator with a redeemer ({@code -redeemerAddr}) handed the ticket over
   * and the redeemer stored it; the redeemer's own queue then takes it to REDEEMED.
   */
  public enum State { QUEUED, REDEEMED, DROPPED, FAILED, FORWARDED }

  /** One stored ticket. txHash and redeemedAt are present for REDEEMED; error for DROPPED and FAILED. */
  public record Entry(long id, WinningTicket ticket, State state, Optional<String> txHash, Optional<Instant> redeemedAt,
      Optional<String> error, int attempts) {}

  /** What one {@link #redeemDue()} pass did. */
  public record Report(int redeemed, int dropped, int failed, int deferred, boolean brokerUnavailable) {}

  private final Connection db;
  private final TicketBroker broker;
  private final RoundsView rounds;
  private final Clock clock;
  private final Object redeemLock = new Object();

  private RedemptionQueue(Connection db, TicketBroker broker, RoundsView rounds, Clock clock) {
    this.db = db;
    this.broker = broker;
    this.rounds = rounds;
    this.clock = clock;
  }

  /** Opens (creating if needed) the queue in {@code dataDir}. */
  public static RedemptionQueue open(Path dataDir, TicketBroker broker, RoundsView rounds, Clock clock) {
    Objects.requireNonNull(broker, "broker");
    Objects.requireNonNull(rounds, "rounds");
    Objects.requireNonNull(clock, "clock");
    try {
      Files.createDirectories(dataDir);
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(FILE_NAME).toAbsolutePath());
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL"); // a winning ticket is money: fsync every insert
        s.execute("PRAGMA busy_timeout=5000");
        s.execute("""
            CREATE TABLE IF NOT EXISTS winning_tickets (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              ticket_hash TEXT NOT NULL UNIQUE,
              recipient TEXT NOT NULL,
              sender TEXT NOT NULL,
              face_value TEXT NOT NULL,
              win_prob TEXT NOT NULL,
              sender_nonce INTEGER NOT NULL,
              recipient_rand_hash TEXT NOT NULL,
              creation_round INTEGER NOT NULL,
              creation_round_block_hash TEXT NOT NULL,
              signature BLOB NOT NULL,
              recipient_rand TEXT NOT NULL,
              expiration_block INTEGER NOT NULL,
              state TEXT NOT NULL,
              tx_hash TEXT,
              redeemed_at INTEGER,
              error TEXT,
              attempts INTEGER NOT NULL DEFAULT 0,
              queued_at INTEGER NOT NULL)""");
        s.execute("CREATE INDEX IF NOT EXISTS winning_tickets_state ON winning_tickets(state, id)");
      }
      return new RedemptionQueue(c, broker, rounds, clock);
    } catch (SQLException | java.io.IOException e) {
      throw new PaymentsException("cannot open the winning-ticket database in " + dataDir + ": " + e.getMessage()
          + " (is the directory writable, or is another node using it?)", e);
    }
  }

  /** Persists a winning ticket before returning (fsync'ed). Adding the same ticket twice keeps one copy. */
  @Override
  public void add(WinningTicket w) {
    offer(w);
  }

  /**
   * As {@link #add}, and says whether the ticket is new: false when a ticket with the same hash is already stored
   * (in any state), which then stays as it was.
   */
  public synchronized boolean offer(WinningTicket w) {
    Ticket t = w.ticket();
    try (PreparedStatement ps = db.prepareStatement("""
        INSERT OR IGNORE INTO winning_tickets (ticket_hash, recipient, sender, face_value, win_prob, sender_nonce,
          recipient_rand_hash, creation_round, creation_round_block_hash, signature, recipient_rand, expiration_block,
          state, queued_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)""")) {
      ps.setString(1, t.hash().hex());
      ps.setString(2, t.recipient().hex());
      ps.setString(3, t.sender().hex());
      ps.setString(4, t.faceValue().value().toString());
      ps.setString(5, t.winProb().toString());
      ps.setLong(6, t.senderNonce());
      ps.setString(7, t.recipientRandHash().hex());
      ps.setLong(8, t.creationRound());
      ps.setString(9, t.creationRoundBlockHash().hex());
      ps.setBytes(10, w.signature().toBytes());
      ps.setString(11, w.recipientRand().toString());
      ps.setLong(12, w.expirationBlock());
      ps.setString(13, State.QUEUED.name());
      ps.setLong(14, clock.millis());
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new PaymentsException("cannot store a winning ticket: " + e.getMessage() + " (disk full?)", e);
    }
  }

  @Override
  public synchronized Wei pendingFaceValue(EthAddress sender) {
    try (PreparedStatement ps = db.prepareStatement(
        "SELECT face_value FROM winning_tickets WHERE state = ? AND sender = ?")) {
      ps.setString(1, State.QUEUED.name());
      ps.setString(2, sender.hex());
      BigInteger sum = BigInteger.ZERO;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          sum = sum.add(new BigInteger(rs.getString(1)));
        }
      }
      return Wei.of(sum);
    } catch (SQLException e) {
      throw new PaymentsException("cannot read the winning-ticket database: " + e.getMessage(), e);
    }
  }

  /**
   * Redeems every queued ticket whose params have expired (expirationBlock <= latest block), oldest first. Stops
   * at the first sign that the chain is unreachable; those tickets stay queued for the next pass.
   */
  public Report redeemDue() {
    synchronized (redeemLock) {
      long latest;
      try {
        latest = rounds.latestBlock();
      } catch (BrokerUnavailableException e) {
        return new Report(0, 0, 0, 0, true);
      }
      int redeemed = 0;
      int dropped = 0;
      int failed = 0;
      for (Entry e : select("WHERE state = 'QUEUED' AND expiration_block <= " + latest + " ORDER BY id")) {
        markAttempt(e.id());
        RedeemOutcome outcome;
        try {
          outcome = broker.redeemWinningTicket(e.ticket().ticket(), e.ticket().signature(), e.ticket().recipientRand());
        } catch (BrokerUnavailableException ex) {
          outcome = new RedeemOutcome.Unavailable(String.valueOf(ex.getMessage()));
        }
        switch (outcome) {
          case RedeemOutcome.Redeemed r -> {
            finish(e.id(), State.REDEEMED, r.txHash(), null);
            redeemed++;
          }
          case RedeemOutcome.Reverted r when isDropped(r.reason()) -> {
            finish(e.id(), State.DROPPED, null, r.reason());
            dropped++;
          }
          case RedeemOutcome.Reverted r when isTransient(r.reason()) -> {
            return new Report(redeemed, dropped, failed, remaining(latest), false);
          }
          case RedeemOutcome.Reverted r -> {
            finish(e.id(), State.FAILED, null, r.reason());
            failed++;
          }
          case RedeemOutcome.Unavailable u -> {
            return new Report(redeemed, dropped, failed, remaining(latest), true);
          }
        }
      }
      return new Report(redeemed, dropped, failed, remaining(latest), false);
    }
  }

  /** What one {@link #forwardQueued} pass did. */
  public record ForwardReport(int forwarded, int refused, int waiting, boolean unavailable) {}

  /**
   * Hands every queued ticket, oldest first and whether due or not, to {@code redeemer} (an orchestrator with a
   * ticket redemption service). {@link RedeemOutcome.Redeemed} means the redeemer stored it (FORWARDED),
   * {@link RedeemOutcome.Reverted} that it refused it for good (FAILED, with the reason), and
   * {@link RedeemOutcome.Unavailable} ends the pass: that ticket and the rest stay QUEUED for the next one.
   */
  public ForwardReport forwardQueued(java.util.function.Function<WinningTicket, RedeemOutcome> redeemer) {
    synchronized (redeemLock) {
      int forwarded = 0;
      int refused = 0;
      List<Entry> queued = entries(State.QUEUED);
      for (int i = 0; i < queued.size(); i++) {
        Entry e = queued.get(i);
        markAttempt(e.id());
        RedeemOutcome outcome;
        try {
          outcome = redeemer.apply(e.ticket());
        } catch (BrokerUnavailableException ex) {
          outcome = new RedeemOutcome.Unavailable(String.valueOf(ex.getMessage()));
        }
        switch (outcome) {
          case RedeemOutcome.Redeemed r -> {
            finish(e.id(), State.FORWARDED, null, null);
            forwarded++;
          }
          case RedeemOutcome.Reverted r -> {
            finish(e.id(), State.FAILED, null, r.reason());
            refused++;
          }
          case RedeemOutcome.Unavailable u -> {
            return new ForwardReport(forwarded, refused, queued.size() - i, true);
          }
        }
      }
      return new ForwardReport(forwarded, refused, 0, false);
    }
  }

  /** Every stored ticket, oldest first. */
  public List<Entry> entries() {
    return select("ORDER BY id");
  }

  public List<Entry> entries(State state) {
    return select("WHERE state = '" + state.name() + "' ORDER BY id");
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException e) {
      throw new PaymentsException("cannot close the winning-ticket database: " + e.getMessage(), e);
    }
  }

  /** Reverts that will never succeed and are expected in normal operation (payments.md). */
  static boolean isDropped(String reason) {
    String r = reason.toLowerCase(Locale.ROOT);
    return r.contains("ticket is used") || r.contains("does not have a block hash") || r.contains("has no block hash");
  }

  /** Reverts about the chain's state rather than the ticket: the same call can succeed later. */
  static boolean isTransient(String reason) {
    String r = reason.toLowerCase(Locale.ROOT);
    return r.contains("system is paused") || r.contains("current round is not initialized");
  }

  private synchronized int remaining(long latest) {
    try (PreparedStatement ps = db.prepareStatement(
        "SELECT COUNT(*) FROM winning_tickets WHERE state = 'QUEUED' AND expiration_block <= ?")) {
      ps.setLong(1, latest);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    } catch (SQLException e) {
      throw new PaymentsException("cannot read the winning-ticket database: " + e.getMessage(), e);
    }
  }

  private synchronized void markAttempt(long id) {
    try (PreparedStatement ps = db.prepareStatement("UPDATE winning_tickets SET attempts = attempts + 1 WHERE id = ?")) {
      ps.setLong(1, id);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new PaymentsException("cannot update the winning-ticket database: " + e.getMessage(), e);
    }
  }

  private synchronized void finish(long id, State state, String txHash, String error) {
    try (PreparedStatement ps = db.prepareStatement(
        "UPDATE winning_tickets SET state = ?, tx_hash = ?, redeemed_at = ?, error = ? WHERE id = ? AND state = 'QUEUED'")) {
      ps.setString(1, state.name());
      ps.setString(2, txHash);
      if (state == State.REDEEMED) {
        ps.setLong(3, clock.millis());
      } else {
        ps.setNull(3, java.sql.Types.INTEGER);
      }
      ps.setString(4, error);
      ps.setLong(5, id);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new PaymentsException("cannot record a redemption: " + e.getMessage(), e);
    }
  }

  private synchronized List<Entry> select(String where) {
    List<Entry> out = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("""
            SELECT id, recipient, sender, face_value, win_prob, sender_nonce, recipient_rand_hash, creation_round,
              creation_round_block_hash, signature, recipient_rand, expiration_block, state, tx_hash, redeemed_at,
              error, attempts FROM winning_tickets\s""" + where)) {
      while (rs.next()) {
        Ticket t = new Ticket(new EthAddress(rs.getString(2)), new EthAddress(rs.getString(3)),
            Wei.of(new BigInteger(rs.getString(4))), new BigInteger(rs.getString(5)), rs.getLong(6),
            Bytes32.fromHex(rs.getString(7)), rs.getLong(8), Bytes32.fromHex(rs.getString(9)));
        WinningTicket w = new WinningTicket(t, Signature.of(rs.getBytes(10)), new BigInteger(rs.getString(11)), rs.getLong(12));
        long redeemedAt = rs.getLong(15);
        Optional<Instant> at = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(redeemedAt));
        out.add(new Entry(rs.getLong(1), w, State.valueOf(rs.getString(13)), Optional.ofNullable(rs.getString(14)), at,
            Optional.ofNullable(rs.getString(16)), rs.getInt(17)));
      }
    } catch (SQLException e) {
      throw new PaymentsException("cannot read the winning-ticket database: " + e.getMessage(), e);
    }
    return out;
  }
}
