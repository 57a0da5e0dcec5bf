package org.bridgeappliance.adapter.xmpp.ext.base;

import java.util.Objects;
import javax.xml.namespace.QName;
import org.jivesoftware.smack.packet.ExtensionElement;

/**
 * The part of a Smack {@link ExtensionElement} that every one of our XEP elements repeats: a qualified name fixed
 * by its class. Subclasses pass their {@code QNAME} and write only their content ({@code toXML}) and accessors.
 */
public abstract class NamedExtension implements ExtensionElement {
    private final QName qname;

    protected NamedExtension(QName qname) {
        this.qname = Objects.requireNonNull(qname, "qname");
    }

    @Override
    public final String getNamespace() {
        return qname.getNamespaceURI();
    }

    @Override
    public final String getElementName() {
        return qname.getLocalPart();
    }

    @Override
    public final QName getQName() {
        return qname;
    }
}
