//! The listing parser on literal pages of each server, and on garbage.

use super::{parse, Entry};

fn file(name: &str, size: Option<u64>) -> Entry {
    Entry { name: name.into(), href: name.into(), is_dir: false, size }
}

fn dir(name: &str) -> Entry {
    Entry { name: name.into(), href: format!("{name}/"), is_dir: true, size: None }
}

/// nginx 1.22's `autoindex on;` (long names are cut in the text, never in the href).
const NGINX: &str = "<html>\r\n<head><title>Index of /files/2016/11/13/</title></head>\r\n<body>\r\n\
<h1>Index of /files/2016/11/13/</h1><hr><pre><a href=\"../\">../</a>\r\n\
<a href=\"sub/\">sub/</a>                                               13-Nov-2016 00:15                   -\r\n\
<a href=\"CAMHDA301-20161113T000000Z.mov\">CAMHDA301-20161113T000000Z.mov</a>                     13-Nov-2016 00:15         13123456789\r\n\
<a href=\"CAMHDA301-20161113T000000Z.mov.md5\">CAMHDA301-20161113T000000Z.mov.md5</a>                 13-Nov-2016 00:15                  32\r\n\
<a href=\"a%20b%26c.mov\">a b&amp;c.mov</a>                                      13-Nov-2016 00:15                 100\r\n\
<a href=\"CAMHDA301-20161113T030000Z-with-a-very-long-name-indeed.mov\">CAMHDA301-20161113T030000Z-with-a-very-long-..&gt;</a> 13-Nov-2016 03:15   7\r\n\
</pre><hr></body>\r\n</html>\r\n";

#[test]
fn nginx_autoindex() {
    let got = parse(NGINX, "/files/2016/11/13/");
    let mut spaced = file("a b&c.mov", Some(100));
    spaced.href = "a%20b%26c.mov".into();
    assert_eq!(
        got,
        vec![
            dir("sub"),
            file("CAMHDA301-20161113T000000Z.mov", Some(13_123_456_789)),
            file("CAMHDA301-20161113T000000Z.mov.md5", Some(32)),
            spaced,
            file("CAMHDA301-20161113T030000Z-with-a-very-long-name-indeed.mov", Some(7)),
        ]
    );
}

/// Apache 2.4 mod_autoindex, FancyIndexing with HTMLTable (the OOI raw-data server's form).
const APACHE_TABLE: &str = r#"<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">
<html>
 <head>
  <title>Index of /files/RS03ASHS/PN03B/06-CAMHDA301/2017/01/01</title>
 </head>
 <body>
<h1>Index of /files/RS03ASHS/PN03B/06-CAMHDA301/2017/01/01</h1>
  <table>
   <tr><th valign="top"><img src="/icons/blank.gif" alt="[ICO]"></th><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th><th><a href="?C=S;O=A">Size</a></th><th><a href="?C=D;O=A">Description</a></th></tr>
   <tr><th colspan="5"><hr></th></tr>
<tr><td valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></td><td><a href="/files/RS03ASHS/PN03B/06-CAMHDA301/2017/01/">Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td><td>&nbsp;</td></tr>
<tr><td valign="top"><img src="/icons/movie.gif" alt="[VID]"></td><td><a href="CAMHDA301-20170101T000000.mov">CAMHDA301-20170101T000000.mov</a></td><td align="right">2017-01-01 00:14  </td><td align="right"> 13G</td><td>&nbsp;</td></tr>
<tr><td valign="top"><img src="/icons/unknown.gif" alt="[   ]"></td><td><a href="CAMHDA301-20170101T000000.mov.md5">CAMHDA301-20170101T000000.mov.md5</a></td><td align="right">2017-01-01 00:15  </td><td align="right"> 32 </td><td>&nbsp;</td></tr>
<tr><td valign="top"><img src="/icons/folder.gif" alt="[DIR]"></td><td><a href="/files/RS03ASHS/PN03B/06-CAMHDA301/2017/01/01/x/">x/</a></td><td align="right">2017-01-01 00:15  </td><td align="right">  - </td><td>&nbsp;</td></tr>
   <tr><th colspan="5"><hr></th></tr>
</table>
</body></html>
"#;

#[test]
fn apache_fancy_table() {
    let got = parse(APACHE_TABLE, "/files/RS03ASHS/PN03B/06-CAMHDA301/2017/01/01");
    let mut x = dir("x");
    x.href = "/files/RS03ASHS/PN03B/06-CAMHDA301/2017/01/01/x/".into();
    assert_eq!(
        got,
        vec![
            file("CAMHDA301-20170101T000000.mov", None),
            file("CAMHDA301-20170101T000000.mov.md5", Some(32)),
            x
        ]
    );
}

/// Apache FancyIndexing without the table: `<pre>` lines, rounded sizes.
const APACHE_PRE: &str = r#"<html><head><title>Index of /d</title></head><body><h1>Index of /d</h1>
<pre><img src="/icons/blank.gif" alt="Icon "> <a href="?C=N;O=D">Name</a>                    <a href="?C=M;O=A">Last modified</a>      <a href="?C=S;O=A">Size</a>  <a href="?C=D;O=A">Description</a><hr><img src="/icons/back.gif" alt="[PARENTDIR]"> <a href="/">Parent Directory</a>                             -
<img src="/icons/movie.gif" alt="[VID]"> <a href="m1.mov">m1.mov</a>                 2016-11-13 00:15  1.2K
<img src="/icons/movie.gif" alt="[VID]"> <a href='m2.mov'>m2.mov</a>                 2016-11-13 00:15  4096
<img src="/icons/folder.gif" alt="[DIR]"> <a href="2016/">2016/</a>                  2016-11-13 00:15    -
<hr></pre>
</body></html>"#;

#[test]
fn apache_fancy_pre() {
    let got = parse(APACHE_PRE, "/d");
    assert_eq!(got, vec![file("m1.mov", None), file("m2.mov", Some(4096)), dir("2016")]);
}

/// Apache without FancyIndexing: a plain list.
const APACHE_UL: &str = r#"<html><head><title>Index of /d/</title></head>
<body><h1>Index of /d/</h1>
<ul><li><a href="/"> Parent Directory</a></li>
<li><a href="CAMHDA301-20161113T000000Z.mov"> CAMHDA301-20161113T000000Z.mov</a></li>
<li><A HREF="11/"> 11/</A></li>
</ul></body></html>"#;

#[test]
fn apache_plain_list() {
    let got = parse(APACHE_UL, "/d/");
    assert_eq!(got, vec![file("CAMHDA301-20161113T000000Z.mov", None), dir("11")]);
}

#[test]
fn links_that_are_not_children_are_left_out() {
    let page = r##"<a href="http://other/x.mov">x</a><a href="//other/y.mov">y</a><a href="#top">t</a>
<a href="a/b.mov">grandchild</a><a href="/elsewhere/c.mov">c</a><a href="./d.mov">d</a><a href="d.mov">again</a>
<a href=e.mov>unquoted</a><a data-href="f.mov">no href</a><a href="%2e%2e/">dotdot</a>"##;
    let got = parse(page, "/base/");
    assert_eq!(got.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["d.mov", "e.mov"]);
}

#[test]
fn garbage_never_panics() {
    let samples = [NGINX, APACHE_TABLE, APACHE_PRE, APACHE_UL];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet = "<a href=\"'>/&#;x0123456789é\n </tr></a>?%2";
    let chars: Vec<char> = alphabet.chars().collect();
    for round in 0..3000 {
        // Cuts of real pages at every kind of place, and random soups of the parser's tokens.
        let page: String = if round % 2 == 0 {
            let s = samples[round % samples.len()];
            let cut = (next() as usize) % (s.len() + 1);
            s.char_indices().take_while(|(i, _)| *i < cut).map(|(_, c)| c).collect()
        } else {
            (0..(next() % 200)).map(|_| chars[(next() as usize) % chars.len()]).collect()
        };
        for e in parse(&page, "/base/") {
            assert!(!e.name.is_empty() && !e.name.contains('/'), "{e:?} from {page:?}");
        }
    }
}
