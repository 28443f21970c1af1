package org.vdresize.libvirt;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.vdresize.common.OperationFailedException;
import org.vdresize.inventory.VmDisk;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Reads the parts of libvirt's domain, pool and volume XML that vdresize needs, with the JDK's DOM.
 * Elements are walked directly (no XPath): only direct children count, so that a disk's
 * {@code <backingStore><source/>} or {@code <format/>} is never mistaken for the disk's own.
 */
final class LibvirtXml {

    /**
     * A domain as its XML describes it.
     *
     * @param guestAgentChannel the domain has the QEMU guest agent's virtio channel ({@value #GUEST_AGENT_CHANNEL})
     */
    record DomainDescription(String name, String uuid, List<VmDisk> disks, boolean guestAgentChannel) {
    }

    /** the name of the guest agent's virtio-serial channel; without it no agent can answer */
    static final String GUEST_AGENT_CHANNEL = "org.qemu.guest_agent.0";

    /** A storage pool's XML: type, target path and sizes. */
    record PoolDescription(String name, String type, String targetPath, long capacity, long allocation, long available) {
    }

    /**
     * A storage volume's XML.
     *
     * @param type file, block, dir, network, netdir, ploop (the volume element's type attribute)
     */
    record VolumeDescription(String name, String type, String path, String format, long capacity, long allocation,
                             String backingPath) {
    }

    private static final Map<String, BigDecimal> UNITS = units();
    private static final Pattern HOST_UUID = Pattern.compile(
            "\\p{XDigit}{8}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{12}");

    private static final ThreadLocal<DocumentBuilder> BUILDER = ThreadLocal.withInitial(LibvirtXml::newBuilder);

    private LibvirtXml() {
    }

    static DomainDescription domain(String xml) {
        Element root = parse(xml, "domain");
        List<VmDisk> disks = new ArrayList<>();
        boolean agentChannel = false;
        Element devices = child(root, "devices");
        if (devices != null) {
            for (Element disk : children(devices, "disk")) {
                disks.add(disk(disk));
            }
            for (Element channel : children(devices, "channel")) {
                Element target = child(channel, "target");
                agentChannel |= target != null && GUEST_AGENT_CHANNEL.equals(attr(target, "name"));
            }
        }
        return new DomainDescription(text(child(root, "name")), text(child(root, "uuid")), disks, agentChannel);
    }

    /**
     * The host UUID of a capabilities XML ({@code <capabilities><host><uuid>}), lower case; empty when
     * there is none (libvirt's test driver) or it cannot tell hosts apart: not a UUID, or one digit
     * repeated (libvirt itself refuses those, e.g. a blank SMBIOS UUID, and then makes up a random one).
     */
    static Optional<String> hostUuid(String capabilitiesXml) {
        Element host = child(parse(capabilitiesXml, "capabilities"), "host");
        String uuid = host == null ? null : text(child(host, "uuid"));
        if (uuid == null || !HOST_UUID.matcher(uuid).matches()) {
            return Optional.empty();
        }
        String digits = uuid.replace("-", "").toLowerCase(Locale.ROOT);
        return digits.chars().distinct().count() == 1 ? Optional.empty() : Optional.of(uuid.toLowerCase(Locale.ROOT));
    }

    private static VmDisk disk(Element disk) {
        String type = disk.getAttribute("type");
        String device = attr(disk, "device");
        Element source = child(disk, "source");
        String path = null;
        if (source != null) {
            if ("file".equals(type)) {
                path = attr(source, "file");
            } else if ("block".equals(type)) {
                path = attr(source, "dev");
            }
        }
        Element target = child(disk, "target");
        Element driver = child(disk, "driver");
        return new VmDisk(
                target == null ? null : attr(target, "dev"),
                target == null ? null : attr(target, "bus"),
                device == null ? "disk" : device,
                path,
                driver == null ? null : attr(driver, "type"),
                child(disk, "readonly") != null,
                child(disk, "shareable") != null,
                text(child(disk, "serial")));
    }

    static PoolDescription pool(String xml) {
        Element root = parse(xml, "pool");
        Element target = child(root, "target");
        long capacity = size(child(root, "capacity"));
        long allocation = size(child(root, "allocation"));
        long available = size(child(root, "available"));
        if (available > capacity && capacity >= 0) {
            // libvirt computes available as an unsigned capacity - allocation: a pool whose directory
            // is gone or fuller than its file system says reports 2^64 - something. Nothing is free.
            available = Math.max(0, capacity - allocation);
        }
        return new PoolDescription(
                text(child(root, "name")),
                attr(root, "type"),
                target == null ? null : text(child(target, "path")),
                capacity,
                allocation,
                available);
    }

    static VolumeDescription volume(String xml) {
        Element root = parse(xml, "volume");
        Element target = child(root, "target");
        Element format = target == null ? null : child(target, "format");
        Element backing = child(root, "backingStore");
        return new VolumeDescription(
                text(child(root, "name")),
                attr(root, "type") == null ? "file" : attr(root, "type"),
                target == null ? null : text(child(target, "path")),
                format == null ? null : attr(format, "type"),
                size(child(root, "capacity")),
                size(child(root, "allocation")),
                backing == null ? null : text(child(backing, "path")));
    }

    /** A libvirt scaled integer ({@code <capacity unit='KiB'>4</capacity>}) in bytes; 0 when absent. */
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    static long size(Element element) {
        String value = text(element);
        if (value == null) {
            return 0;
        }
        String unit = attr(element, "unit");
        BigDecimal factor = unit == null ? BigDecimal.ONE : UNITS.get(unit.toLowerCase(Locale.ROOT));
        if (factor == null) {
            throw new OperationFailedException("libvirt reported a size in an unknown unit: " + value + " " + unit);
        }
        // libvirt's sizes are unsigned 64-bit and can be garbage above 2^63: a dir pool on a file
        // system that reports no size (ramfs) has "available" = 0 - allocation, wrapped around. One
        // such pool made every inventory read fail (500); saturate instead
        return new BigDecimal(value).multiply(factor).min(LONG_MAX).longValueExact();
    }

    private static Element parse(String xml, String rootName) {
        try {
            DocumentBuilder builder = BUILDER.get();
            builder.reset();
            // the default handler prints to stderr; the exception we throw says it all
            builder.setErrorHandler(new DefaultHandler());
            Element root = builder.parse(new InputSource(new StringReader(xml))).getDocumentElement();
            if (!rootName.equals(root.getTagName())) {
                throw new OperationFailedException("expected <" + rootName + "> from libvirt, got <" + root.getTagName() + ">");
            }
            return root;
        } catch (SAXException | IOException e) {
            throw new OperationFailedException("unreadable " + rootName + " XML from libvirt: " + e.getMessage(), e);
        }
    }

    static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && name.equals(e.getTagName())) {
                return e;
            }
        }
        return null;
    }

    static List<Element> children(Element parent, String name) {
        List<Element> result = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && name.equals(e.getTagName())) {
                result.add(e);
            }
        }
        return result;
    }

    /** An attribute's value, null when absent or empty. */
    static String attr(Element element, String name) {
        String value = element.getAttribute(name);
        return value.isEmpty() ? null : value;
    }

    /** An element's trimmed text, null when the element is absent or empty. */
    static String text(Element element) {
        if (element == null) {
            return null;
        }
        String value = element.getTextContent().strip();
        return value.isEmpty() ? null : value;
    }

    private static DocumentBuilder newBuilder() {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            // libvirt's XML has no DTD; refusing one keeps entity tricks out
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            factory.setNamespaceAware(false);
            return factory.newDocumentBuilder();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("no usable XML parser in this JDK", e);
        }
    }

    private static Map<String, BigDecimal> units() {
        BigDecimal k = BigDecimal.valueOf(1000);
        BigDecimal ki = BigDecimal.valueOf(1024);
        return Map.ofEntries(
                Map.entry("b", BigDecimal.ONE), Map.entry("bytes", BigDecimal.ONE),
                Map.entry("kb", k), Map.entry("k", ki), Map.entry("kib", ki),
                Map.entry("mb", k.pow(2)), Map.entry("m", ki.pow(2)), Map.entry("mib", ki.pow(2)),
                Map.entry("gb", k.pow(3)), Map.entry("g", ki.pow(3)), Map.entry("gib", ki.pow(3)),
                Map.entry("tb", k.pow(4)), Map.entry("t", ki.pow(4)), Map.entry("tib", ki.pow(4)),
                Map.entry("pb", k.pow(5)), Map.entry("p", ki.pow(5)), Map.entry("pib", ki.pow(5)),
                Map.entry("eb", k.pow(6)), Map.entry("e", ki.pow(6)), Map.entry("eib", ki.pow(6)));
    }
}
