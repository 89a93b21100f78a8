<?xml version="1.0" encoding="UTF-8"?>
<!-- Shown by browsers that open an RSS or Atom file of tidings: a readable page instead of raw
     XML.  Feed readers ignore it. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    exclude-result-prefixes="atom dc">
  <xsl:output method="html" encoding="UTF-8" indent="yes"/>
  <xsl:template match="/">
    <xsl:variable name="title" select="rss/channel/title | atom:feed/atom:title"/>
    <html>
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> (feed)</title>
        <style>
          body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#222}
          .note{background:#f4f4f4;padding:.75rem 1rem;border-radius:4px;font-size:.9rem}
          h2{font-size:1.1rem;margin:1.5rem 0 .2rem}.date{color:#666;font-size:.85rem}
        </style>
      </head>
      <body>
        <p class="note">This is a web feed. Copy its address into a feed reader to subscribe.</p>
        <h1><xsl:value-of select="$title"/></h1>
        <p><xsl:value-of select="rss/channel/description | atom:feed/atom:subtitle"/></p>
        <xsl:for-each select="rss/channel/item">
          <h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
          <div class="date"><xsl:value-of select="pubDate"/>
            <xsl:if test="dc:creator"> · <xsl:value-of select="dc:creator"/></xsl:if></div>
        </xsl:for-each>
        <xsl:for-each select="atom:feed/atom:entry">
          <h2><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
          <div class="date"><xsl:value-of select="substring(atom:published, 1, 10)"/>
            <xsl:if test="atom:author/atom:name"> · <xsl:value-of select="atom:author/atom:name"/></xsl:if></div>
        </xsl:for-each>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
