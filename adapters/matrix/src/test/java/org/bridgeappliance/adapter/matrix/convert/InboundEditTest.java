package org.bridgeappliance.adapter.matrix.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.MessageBody;
import org.junit.jupiter.api.Test;

/** CS API "Event replacements": m.replace with m.new_content becomes an EditEvent. */
class InboundEditTest extends InboundFixture {
    @Test
    void editUsesTheNewContent() {
        EditEvent e = (EditEvent) convert(message("""
                {"msgtype":"m.text","body":"* fixed","format":"org.matrix.custom.html","formatted_body":"* <b>fixed</b>",
                 "m.new_content":{"msgtype":"m.text","body":"fixed","format":"org.matrix.custom.html",
                                  "formatted_body":"<b>fixed</b><script>x</script>"},
                 "m.relates_to":{"rel_type":"m.replace","event_id":"$orig"}}
                """)).get(0);
        assertEquals(RemoteMessageId.of("$orig"), e.target());
        assertEquals(MessageBody.html("fixed", "<b>fixed</b>"), e.newBody());
        assertEquals(Optional.of(RemoteMessageId.of("$ev1")), e.remoteId());
    }

    @Test
    void editWithoutNewContentFallsBackToTheBodyWithoutTheStar() {
        EditEvent e = (EditEvent) convert(message("""
                {"msgtype":"m.text","body":"* fixed","m.relates_to":{"rel_type":"m.replace","event_id":"$orig"}}
                """)).get(0);
        assertEquals(MessageBody.plain("fixed"), e.newBody());
    }
}
