package io.jlivepeer.chain;

import io.jlivepeer.chain.contracts.TicketBroker;
import java.math.BigInteger;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/** Builds and signs tickets the way a broadcaster does (payments.md), independently of the contract. */
final class Tickets {
    static final BigInteger ALWAYS_WINS = BigInteger.TWO.pow(256).subtract(BigInteger.ONE);

    private Tickets() {}

    record Signed(TicketBroker.Ticket ticket, byte[] sig, BigInteger recipientRand) {}

    /** payments.md: recipient || sender || faceValue || winProb || senderNonce || recipientRandHash || auxData. */
    static byte[] hash(String recipient, String sender, BigInteger faceValue, BigInteger winProb, BigInteger nonce,
            byte[] recipientRandHash, byte[] auxData) {
        return Hash.sha3(TestChain.concat(
                Numeric.hexStringToByteArray(recipient),
                Numeric.hexStringToByteArray(sender),
                word(faceValue),
                word(winProb),
                word(nonce),
                recipientRandHash,
                auxData));
    }

    static byte[] word(BigInteger value) {
        return Numeric.toBytesPadded(value, 32);
    }

    static byte[] auxData(long creationRound, byte[] creationRoundBlockHash) {
        return TestChain.concat(word(BigInteger.valueOf(creationRound)), creationRoundBlockHash);
    }

    static byte[] randHash(BigInteger recipientRand) {
        return Hash.sha3(word(recipientRand));
    }

    /** 65 bytes r || s || v over the personal-sign prefixed ticket hash. */
    static byte[] sign(byte[] ticketHash, Credentials signer) {
        Sign.SignatureData sig = Sign.signPrefixedMessage(ticketHash, signer.getEcKeyPair());
        return TestChain.concat(sig.getR(), sig.getS(), sig.getV());
    }

    static Signed ticket(Credentials sender, String recipient, BigInteger faceValue, BigInteger winProb, long nonce,
            BigInteger recipientRand, byte[] auxData) {
        return ticket(sender, sender.getAddress(), recipient, faceValue, winProb, nonce, recipientRand, auxData);
    }

    /** A ticket claiming to come from {@code senderAddress}, signed by {@code signer}. */
    static Signed ticket(Credentials signer, String senderAddress, String recipient, BigInteger faceValue,
            BigInteger winProb, long nonce, BigInteger recipientRand, byte[] auxData) {
        byte[] randHash = randHash(recipientRand);
        BigInteger n = BigInteger.valueOf(nonce);
        byte[] hash = hash(recipient, senderAddress, faceValue, winProb, n, randHash, auxData);
        TicketBroker.Ticket ticket =
                new TicketBroker.Ticket(recipient, senderAddress, faceValue, winProb, n, randHash, auxData);
        return new Signed(ticket, sign(hash, signer), recipientRand);
    }
}
