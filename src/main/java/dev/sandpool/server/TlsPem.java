package dev.sandpool.server;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM certificates and private keys without BouncyCastle. Keys may be PKCS#8 ({@code PRIVATE KEY}),
 * PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}), the three forms openssl, certbot
 * and mkcert write; the JDK reads only PKCS#8, so the other two are wrapped into it first.
 */
final class TlsPem {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final byte[] INTEGER_ZERO = {0x02, 0x01, 0x00};
    private static final byte[] RSA_ALGORITHM = der(0x30, new byte[] {
            0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00});
    private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    // The PKCS#8 algorithm identifier says which; trying each factory avoids parsing it.
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "EdDSA", "RSASSA-PSS");

    private TlsPem() {}

    private record Block(String label, String body) {}

    /** Every {@code CERTIFICATE} block, in order: the server's own first, then its issuers. */
    static List<X509Certificate> certificates(String pem) throws GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> chain = new ArrayList<>();
        for (Block block : blocks(pem)) {
            if (block.label().equals("CERTIFICATE")) {
                chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(decode(block))));
            }
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("no '-----BEGIN CERTIFICATE-----' block found");
        }
        return List.copyOf(chain);
    }

    /** The first private key block; other blocks (openssl's {@code EC PARAMETERS}, certificates) are skipped. */
    static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        for (Block block : blocks(pem)) {
            switch (block.label()) {
                case "PRIVATE KEY" -> {
                    return pkcs8(decode(block));
                }
                case "RSA PRIVATE KEY" -> {
                    return pkcs8(der(0x30, INTEGER_ZERO, RSA_ALGORITHM, der(0x04, decode(block))));
                }
                case "EC PRIVATE KEY" -> {
                    byte[] sec1 = decode(block);
                    return pkcs8(der(0x30, INTEGER_ZERO, der(0x30, EC_PUBLIC_KEY_OID, namedCurve(sec1)), der(0x04, sec1)));
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException(
                        "the private key is encrypted; decrypt it first (openssl pkey -in KEY -out KEY.plain)");
                default -> { }
            }
        }
        throw new IllegalArgumentException("no '-----BEGIN PRIVATE KEY-----' (or RSA/EC PRIVATE KEY) block found");
    }

    static String encode(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static List<Block> blocks(String pem) {
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            blocks.add(new Block(m.group(1), m.group(2)));
        }
        return blocks;
    }

    private static byte[] decode(Block block) {
        // RFC 1421 headers only appear in openssl's legacy encrypted keys ("Proc-Type: 4,ENCRYPTED").
        if (block.body().contains(":")) {
            throw new IllegalArgumentException("the " + block.label() + " block is encrypted or has headers;"
                    + " decrypt it first (openssl pkey -in KEY -out KEY.plain)");
        }
        try {
            return Base64.getMimeDecoder().decode(block.body().strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the " + block.label() + " block is not valid base64", e);
        }
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        GeneralSecurityException last = null;
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("not an RSA, EC or EdDSA private key", last);
    }

    /** SEC1's {@code [0] parameters}: PKCS#8 carries the curve outside the key, so it has to be lifted out. */
    private static byte[] namedCurve(byte[] sec1) {
        Tlv key = Tlv.read(sec1, 0, 0x30);
        int at = key.start();
        while (at < key.end()) {
            Tlv field = Tlv.read(sec1, at, -1);
            if (field.tag() == 0xa0) {
                Tlv oid = Tlv.read(sec1, field.start(), 0x06);
                return Arrays.copyOfRange(sec1, field.start(), oid.end());
            }
            at = field.end();
        }
        throw new IllegalArgumentException("the EC PRIVATE KEY does not name its curve; convert it to PKCS#8"
                + " (openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8)");
    }

    /** One DER element: its tag and where its contents lie. */
    private record Tlv(int tag, int start, int end) {
        static Tlv read(byte[] der, int at, int expectedTag) {
            if (at + 2 > der.length) {
                throw new IllegalArgumentException("truncated DER");
            }
            int tag = der[at] & 0xff;
            if (expectedTag >= 0 && tag != expectedTag) {
                throw new IllegalArgumentException("unexpected DER tag " + tag);
            }
            int length = der[at + 1] & 0xff;
            int pos = at + 2;
            if (length >= 0x80) {
                int bytes = length & 0x7f;
                if (bytes == 0 || bytes > 3 || pos + bytes > der.length) {
                    throw new IllegalArgumentException("bad DER length");
                }
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = (length << 8) | (der[pos++] & 0xff);
                }
            }
            if (pos + length > der.length) {
                throw new IllegalArgumentException("truncated DER");
            }
            return new Tlv(tag, pos, pos + length);
        }
    }

    private static byte[] der(int tag, byte[]... contents) {
        int length = 0;
        for (byte[] c : contents) {
            length += c.length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 6);
        out.write(tag);
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (39 - Integer.numberOfLeadingZeros(length)) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        for (byte[] c : contents) {
            out.writeBytes(c);
        }
        return out.toByteArray();
    }
}
