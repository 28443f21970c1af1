package org.vdresize.vm;

/**
 * A block job (virDomainGetBlockJobInfo) that runs now on one disk of a running domain. QEMU refuses
 * a block resize of a disk while it runs ("Device is in use"), however long the job takes.
 *
 * @param cur progress so far and {@code end} its total, in QEMU's units (only their ratio means something)
 */
public record BlockJob(Kind kind, long cur, long end) {

    /** libvirt's virDomainBlockJobType. */
    public enum Kind {
        PULL("block pull"),
        COPY("block copy"),
        COMMIT("block commit"),
        ACTIVE_COMMIT("active block commit"),
        BACKUP("backup"),
        /** a type this libvirt-java does not name (a newer libvirt) */
        OTHER("block");

        private final String text;

        Kind(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /** For example "a block copy job (3 % done) runs on vda of VM web1". */
    public String describe(String vmName, String target) {
        String progress = end > 0 ? " (" + Math.min(100, cur * 100 / end) + " % done)" : "";
        String article = "aeiou".indexOf(kind.text().charAt(0)) >= 0 ? "an " : "a ";
        return article + kind.text() + " job" + progress + " runs on " + target + " of VM " + vmName;
    }
}
