import java.io.File;
import java.nio.file.Files;
import java.util.Arrays;
import org.web3j.codegen.SolidityFunctionWrapperGenerator;
import org.web3j.tx.Contract;

/**
 * Build-time step (run by the chain module's pom with the JDK's source launcher): generates one web3j
 * wrapper per {@code Name.abi}/{@code Name.bin} pair of the contract build folder, in one JVM, and skips
 * wrappers already newer than their ABI and bytecode so that unchanged contracts cost nothing.
 *
 * <p>Usage: {@code java -cp <codegen classpath> GenerateWrappers.java <abiDir> <outputDir> <package>}
 */
public final class GenerateWrappers {
    private GenerateWrappers() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: GenerateWrappers <abiDir> <outputDir> <package>");
        }
        File abiDir = new File(args[0]);
        File outDir = new File(args[1]);
        String pkg = args[2];
        File[] abis = abiDir.listFiles((dir, name) -> name.endsWith(".abi"));
        if (abis == null) {
            throw new IllegalStateException("no contract build output in " + abiDir + ": run the contracts build first");
        }
        Arrays.sort(abis);
        File pkgDir = new File(outDir, pkg.replace('.', File.separatorChar));
        int generated = 0;
        for (File abi : abis) {
            String name = abi.getName().substring(0, abi.getName().length() - ".abi".length());
            File bin = new File(abiDir, name + ".bin");
            File wrapper = new File(pkgDir, name + ".java");
            if (wrapper.isFile()
                    && wrapper.lastModified() >= abi.lastModified()
                    && wrapper.lastModified() >= bin.lastModified()) {
                continue;
            }
            Files.deleteIfExists(wrapper.toPath());
            // native Java types, no primitives, send-only methods, Contract base, 20-byte addresses,
            // plus getABI_<function> helpers that return the encoded call data.
            new SolidityFunctionWrapperGenerator(
                            bin, abi, outDir, name, pkg, true, false, false, Contract.class, 20, true)
                    .generate();
            generated++;
        }
        System.out.println("[wrappers] " + generated + " generated, " + (abis.length - generated)
                + " up to date in " + pkgDir);
    }
}
