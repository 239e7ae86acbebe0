package io.jlivepeer.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DescriptorProtos.DescriptorProto.ReservedRange;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.jlivepeer.wire.proto.RedeemerProto;
import io.jlivepeer.wire.proto.WireProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Guards against drift from the reference node's protocol: {@code reference-proto.tsv} restates every element of
 * go-livepeer's {@code net/lp_rpc.proto} and {@code net/redeemer.proto} that concerns transcoding and payments
 * (shared/spec/wire.md), one row each, and this test holds our compiled descriptors to it both ways. A row marked
 * {@code same} must match our descriptor exactly (number, type, label, oneof, streaming, file); a row marked
 * {@code omitted} is a deliberate difference and must be absent from ours (its number unused too, so a peer's value
 * for it stays an unknown field and never lands in a field of ours); and every element of our {@code net} package
 * must have a row, so nobody adds a field that the reference does not have without writing its fact down.
 */
class ReferenceProtoTableTest {
  private static final String TABLE = "/reference-proto.tsv";
  private static final List<String> COLUMNS =
      List.of("kind", "file", "owner", "name", "number", "type", "label", "oneof", "status", "reason");
  /** Which of our files stands for which reference file. */
  private static final Map<String, FileDescriptor> FILES =
      Map.of("lp_rpc.proto", WireProto.getDescriptor(), "redeemer.proto", RedeemerProto.getDescriptor());

  /** One element: a row of the table, or what our descriptors say about the same element. */
  record Fact(int line, String kind, String file, String owner, String name, String number, String type, String label,
      String oneof, String status, String reason) {
    String key() {
      return kind + " " + owner + ("-".equals(name) ? "" : "." + name) + ("reserved".equals(kind) ? " " + number : "");
    }

    String where() {
      return (line > 0 ? "reference-proto.tsv line " + line + ": " : "") + kind + " " + owner
          + ("-".equals(name) ? "" : "." + name) + ("-".equals(number) ? "" : " = " + number);
    }
  }

  @Test
  void ourDescriptorsMatchTheReferenceTableBothWays() throws IOException {
    List<Fact> table = readTable();
    Map<String, Fact> ours = ourFacts();
    List<String> problems = new ArrayList<>();

    Map<String, Fact> byKey = new LinkedHashMap<>();
    for (Fact row : table) {
      Fact earlier = byKey.putIfAbsent(row.key(), row);
      if (earlier != null) {
        problems.add(row.where() + ": listed twice (also on line " + earlier.line() + ")");
      }
    }

    for (Fact row : table) {
      Fact mine = ours.get(row.key());
      switch (row.status()) {
        case "same" -> {
          if (mine == null) {
            problems.add(row.where() + ": the reference has it, our .proto does not (add it, or mark the row"
                + " 'omitted' with a reason)");
          } else {
            compare(row, mine, problems);
          }
        }
        case "omitted" -> {
          if (row.reason().isBlank()) {
            problems.add(row.where() + ": an omitted row needs a reason");
          }
          if (mine != null) {
            problems.add(row.where() + ": marked omitted (" + row.reason() + ") but our .proto has it as "
                + describe(mine) + " (drop it from the .proto, or mark the row 'same')");
          }
          numberClash(row, ours).ifPresent(problems::add);
        }
        default -> problems.add(row.where() + ": status must be 'same' or 'omitted', not '" + row.status() + "'");
      }
    }

    for (Fact mine : ours.values()) {
      if (!byKey.containsKey(mine.key())) {
        problems.add(mine.where() + " (" + describe(mine) + ", in our " + mine.file()
            + ") is not in reference-proto.tsv: write down the reference's fact for it, or remove it from our .proto");
      }
    }

    assertThat(problems).as("drift between our net .proto files and the reference's (reference-proto.tsv)")
        .isEmpty();
    assertThat(table.stream().filter(f -> f.status().equals("same") && f.kind().equals("field")).count())
        .as("fields checked").isGreaterThan(100);
  }

  private static void compare(Fact row, Fact mine, List<String> problems) {
    check(row, "number", row.number(), mine.number(), problems);
    check(row, "type", row.type(), mine.type(), problems);
    check(row, "label", row.label(), mine.label(), problems);
    check(row, "oneof", row.oneof(), mine.oneof(), problems);
    FileDescriptor expected = FILES.get(row.file());
    if (expected == null) {
      problems.add(row.where() + ": unknown file '" + row.file() + "' (expected one of " + FILES.keySet() + ")");
    } else if (!expected.getName().equals(mine.file())) {
      problems.add(row.where() + ": file drifted: the reference has it in " + row.file() + " (our "
          + expected.getName() + "), ours is in " + mine.file());
    }
  }

  private static void check(Fact row, String what, String reference, String ours, List<String> problems) {
    if (!reference.equals(ours)) {
      problems.add(row.where() + ": " + what + " drifted: reference " + reference + ", ours " + ours);
    }
  }

  /** An omitted field or enum value whose number one of ours uses instead would read a peer's value wrongly. */
  private static java.util.Optional<String> numberClash(Fact row, Map<String, Fact> ours) {
    if (!row.kind().equals("field") && !row.kind().equals("enum_value")) {
      return java.util.Optional.empty();
    }
    return ours.values().stream()
        .filter(f -> f.kind().equals(row.kind()) && f.owner().equals(row.owner()) && f.number().equals(row.number()))
        .findFirst()
        .map(f -> row.where() + ": marked omitted, but our " + f.owner() + "." + f.name() + " uses its number "
            + row.number() + " (a reference peer's " + row.name() + " would land in it)");
  }

  private static String describe(Fact f) {
    return switch (f.kind()) {
      case "field" -> f.label() + " " + f.type() + " = " + f.number()
          + ("-".equals(f.oneof()) ? "" : " in oneof " + f.oneof());
      case "rpc" -> f.type() + " (" + f.label() + ")";
      case "enum_value", "reserved" -> f.kind() + " " + f.number();
      default -> f.kind();
    };
  }

  private static List<Fact> readTable() throws IOException {
    List<Fact> rows = new ArrayList<>();
    try (InputStream in = ReferenceProtoTableTest.class.getResourceAsStream(TABLE)) {
      assertThat(in).as(TABLE + " on the test class path").isNotNull();
      String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1);
      boolean header = false;
      for (int i = 0; i < lines.length; i++) {
        String line = lines[i];
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        List<String> cells = List.of(line.split("\t", -1));
        if (!header) {
          assertThat(cells).as(TABLE + " line " + (i + 1) + ": the header").isEqualTo(COLUMNS);
          header = true;
          continue;
        }
        assertThat(cells).as(TABLE + " line " + (i + 1) + ": " + COLUMNS.size() + " tab-separated cells, got: " + line)
            .hasSize(COLUMNS.size());
        rows.add(new Fact(i + 1, cells.get(0), cells.get(1), cells.get(2), cells.get(3), cells.get(4), cells.get(5),
            cells.get(6), cells.get(7), cells.get(8), cells.get(9).strip()));
      }
    }
    assertThat(rows).as(TABLE + " rows").isNotEmpty();
    return rows;
  }

  /** Every service, rpc, message, field, enum, enum value and reserved number of our package {@code net}. */
  private static Map<String, Fact> ourFacts() {
    Map<String, Fact> facts = new LinkedHashMap<>();
    for (FileDescriptor file : Set.copyOf(FILES.values())) {
      assertThat(file.getPackage()).as(file.getName() + " package").isEqualTo("net");
      for (ServiceDescriptor service : file.getServices()) {
        put(facts, new Fact(0, "service", file.getName(), service.getFullName(), "-", "-", "-", "-", "-", "", ""));
        for (MethodDescriptor m : service.getMethods()) {
          boolean client = m.toProto().getClientStreaming();
          boolean server = m.toProto().getServerStreaming();
          String streaming = client && server ? "bidi_streaming"
              : client ? "client_streaming" : server ? "server_streaming" : "unary";
          put(facts, new Fact(0, "rpc", file.getName(), service.getFullName(), m.getName(), "-",
              m.getInputType().getFullName() + " -> " + m.getOutputType().getFullName(), streaming, "-", "", ""));
        }
      }
      for (EnumDescriptor e : file.getEnumTypes()) {
        addEnum(facts, file, e);
      }
      for (Descriptor message : file.getMessageTypes()) {
        addMessage(facts, file, message);
      }
    }
    return facts;
  }

  private static void addMessage(Map<String, Fact> facts, FileDescriptor file, Descriptor message) {
    if (message.getOptions().getMapEntry()) {
      return; // the synthetic entry type of a map field: described by the field's map<key,value>
    }
    String owner = message.getFullName();
    put(facts, new Fact(0, "message", file.getName(), owner, "-", "-", "-", "-", "-", "", ""));
    for (FieldDescriptor f : message.getFields()) {
      String label = f.isMapField() ? "map" : f.isRepeated() ? "repeated" : "optional";
      String type;
      if (f.isMapField()) {
        Descriptor entry = f.getMessageType();
        type = "map<" + typeName(entry.findFieldByName("key")) + "," + typeName(entry.findFieldByName("value")) + ">";
      } else {
        type = typeName(f);
      }
      String oneof = f.getRealContainingOneof() == null ? "-" : f.getRealContainingOneof().getName();
      put(facts, new Fact(0, "field", file.getName(), owner, f.getName(), Integer.toString(f.getNumber()), type, label,
          oneof, "", ""));
    }
    for (ReservedRange range : message.toProto().getReservedRangeList()) {
      for (int n = range.getStart(); n < range.getEnd(); n++) { // end is exclusive in the descriptor
        put(facts, new Fact(0, "reserved", file.getName(), owner, "-", Integer.toString(n), "-", "-", "-", "", ""));
      }
    }
    for (EnumDescriptor e : message.getEnumTypes()) {
      addEnum(facts, file, e);
    }
    for (Descriptor nested : message.getNestedTypes()) {
      addMessage(facts, file, nested);
    }
  }

  private static void addEnum(Map<String, Fact> facts, FileDescriptor file, EnumDescriptor e) {
    put(facts, new Fact(0, "enum", file.getName(), e.getFullName(), "-", "-", "-", "-", "-", "", ""));
    for (EnumValueDescriptor v : e.getValues()) {
      put(facts, new Fact(0, "enum_value", file.getName(), e.getFullName(), v.getName(),
          Integer.toString(v.getNumber()), "-", "-", "-", "", ""));
    }
  }

  private static String typeName(FieldDescriptor f) {
    return switch (f.getJavaType()) {
      case MESSAGE -> f.getMessageType().getFullName();
      case ENUM -> f.getEnumType().getFullName();
      default -> f.getType().name().toLowerCase(Locale.ROOT);
    };
  }

  private static void put(Map<String, Fact> facts, Fact fact) {
    Fact earlier = facts.putIfAbsent(fact.key(), fact);
    assertThat(earlier).as("two elements of our descriptors under one key: " + fact.key()).isNull();
  }
}
