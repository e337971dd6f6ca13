<?xml version="1.0" encoding="utf-8"?>
<!-- Shows an Atom feed opened in a browser as a readable page that explains subscribing. -->
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom"
  exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" indent="yes" doctype-system="about:legacy-compat"/>
  <xsl:template match="/atom:feed">
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="atom:title"/> (feed)</title>
        <link rel="stylesheet" href="/static/css/site.css"/>
      </head>
      <body>
        <main id="main" class="wrap feed-page">
          <p class="feed-badge">Atom feed</p>
          <h1><xsl:value-of select="atom:title"/></h1>
          <section class="subscribe" aria-labelledby="subscribe">
            <h2 id="subscribe">This is a feed: subscribe to it</h2>
            <p>A feed tells a feed reader (such as NetNewsWire, Feedly, Thunderbird or Inoreader)
              when a new summary appears here. Copy this page's address into your reader to
              follow it; there is nothing to sign up for.</p>
            <p><a href="{atom:link[@rel='alternate']/@href}">Read these summaries on the website</a></p>
          </section>
          <section aria-labelledby="entries">
            <h2 id="entries">In this feed</h2>
            <ol class="feed-entries">
              <xsl:for-each select="atom:entry">
                <li>
                  <h3><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h3>
                  <p class="byline">
                    <xsl:for-each select="atom:author">
                      <xsl:value-of select="atom:name"/>
                      <xsl:if test="position() != last()">, </xsl:if>
                    </xsl:for-each>
                    <xsl:text> · updated </xsl:text>
                    <xsl:value-of select="substring(atom:updated, 1, 10)"/>
                  </p>
                  <p><xsl:value-of select="atom:summary"/></p>
                </li>
              </xsl:for-each>
            </ol>
          </section>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
