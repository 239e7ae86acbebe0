package io.jlivepeer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jlivepeer.chain.ChainException;
import io.jlivepeer.payments.EthAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code livepeer devchain} writes to {@code <datadir>/devchain/devchain.json} so that a node started
 * with {@code -network devchain} finds the chain, the contracts and funded accounts without more flags.
 *
 * @param contracts contract name to address; "Controller" is the one a node needs
 * @param accounts funded dev accounts with their keystore files (password {@code keystorePassword})
 */
record DevchainInfo(String rpcUrl, long chainId, Map<String, String> contracts, List<Account> accounts, String keystorePassword) {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  record Account(EthAddress address, Path keystore) {}

  DevchainInfo {
    contracts = Map.copyOf(new LinkedHashMap<>(contracts));
    accounts = List.copyOf(accounts);
  }

  static Path file(Path dataDir) {
    return dataDir.resolve("devchain").resolve("devchain.json");
  }

  EthAddress controller() {
    String c = contracts.get("Controller");
    if (c == null) {
      throw new ChainUsageException("devchain.json names no Controller; run `livepeer devchain` again");
    }
    return EthAddress.of(c);
  }

  String toJson(Map<String, String> orderedContracts) {
    ObjectNode root = JSON.createObjectNode();
    root.put("rpcUrl", rpcUrl);
    root.put("chainId", chainId);
    ObjectNode c = root.putObject("contracts");
    orderedContracts.forEach(c::put);
    ArrayNode a = root.putArray("accounts");
    for (Account acct : accounts) {
      a.addObject().put("address", acct.address().toString()).put("keystore", acct.keystore().toString());
    }
    root.put("keystorePassword", keystorePassword);
    try {
      return JSON.writeValueAsString(root);
    } catch (IOException e) {
      throw new ChainException("cannot encode devchain.json", e);
    }
  }

  void write(Path file, Map<String, String> orderedContracts) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, toJson(orderedContracts));
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new ChainException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  static DevchainInfo read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ChainUsageException(
          "no devchain found: " + file + " does not exist; start `livepeer devchain` first, or give -ethUrl and -ethController");
    }
    try {
      JsonNode n = JSON.readTree(file.toFile());
      Map<String, String> contracts = new LinkedHashMap<>();
      n.path("contracts").fields().forEachRemaining(e -> contracts.put(e.getKey(), e.getValue().asText()));
      List<Account> accounts = new ArrayList<>();
      for (JsonNode a : n.path("accounts")) {
        accounts.add(new Account(EthAddress.of(a.path("address").asText()), Path.of(a.path("keystore").asText())));
      }
      return new DevchainInfo(
          n.path("rpcUrl").asText(), n.path("chainId").asLong(), contracts, accounts, n.path("keystorePassword").asText(""));
    } catch (IOException e) {
      throw new ChainUsageException("cannot read " + file + ": " + e.getMessage());
    }
  }
}
