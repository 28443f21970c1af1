package org.vdresize.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A certificate authority made at test time with {@code certtool} (Debian's gnutls-bin), with a
 * server certificate for one IP address and a client certificate, laid out as libvirt reads them:
 * {@link #clientDir()} is what a client names with {@code ?pkipath=} (cacert.pem, clientcert.pem,
 * clientkey.pem); the server files go to libvirtd.conf's ca_file, cert_file and key_file. RSA keys
 * (libvirt wants key encipherment in the certificates, which ECDSA keys cannot have): 0.2 s each.
 */
public final class TestPki {

    private final Path dir;

    private TestPki(Path dir) {
        this.dir = dir;
    }

    /** A new CA in {@code dir} (created), a server certificate for {@code serverIp} and a client certificate. */
    public static TestPki create(Path dir, String serverIp) {
        TestPki pki = new TestPki(dir);
        try {
            Files.createDirectories(dir.resolve("client"));
            pki.key("cakey.pem");
            pki.template("ca.info", "cn = \"vdresize test CA " + dir.getFileName() + "\"\nca\ncert_signing_key\nexpiration_days = 2\n");
            Cmd.run("certtool", "--generate-self-signed", "--load-privkey", pki.file("cakey.pem"),
                    "--template", pki.file("ca.info"), "--outfile", pki.file("cacert.pem"));
            pki.key("serverkey.pem");
            pki.template("server.info", "organization = \"vdresize tests\"\ncn = \"" + serverIp + "\"\nip_address = \""
                    + serverIp + "\"\ntls_www_server\nencryption_key\nsigning_key\nexpiration_days = 2\n");
            pki.sign("serverkey.pem", "server.info", "servercert.pem");
            pki.key("client/clientkey.pem");
            pki.template("client.info", "organization = \"vdresize tests\"\ncn = \"vdresize\"\n"
                    + "tls_www_client\nencryption_key\nsigning_key\nexpiration_days = 2\n");
            pki.sign("client/clientkey.pem", "client.info", "client/clientcert.pem");
            Files.copy(dir.resolve("cacert.pem"), dir.resolve("client/cacert.pem"));
            return pki;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path caCert() {
        return dir.resolve("cacert.pem");
    }

    public Path serverCert() {
        return dir.resolve("servercert.pem");
    }

    public Path serverKey() {
        return dir.resolve("serverkey.pem");
    }

    /** cacert.pem, clientcert.pem, clientkey.pem: a libvirt client's {@code pkipath}. */
    public Path clientDir() {
        return dir.resolve("client");
    }

    private void key(String name) {
        Cmd.run("certtool", "--generate-privkey", "--key-type=rsa", "--bits", "2048", "--outfile", file(name));
    }

    private void sign(String key, String template, String out) {
        Cmd.run("certtool", "--generate-certificate", "--load-privkey", file(key), "--load-ca-certificate", file("cacert.pem"),
                "--load-ca-privkey", file("cakey.pem"), "--template", file(template), "--outfile", file(out));
    }

    private void template(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text);
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }
}
