// Renders API Gateway mapping templates with Apache Velocity 1.7, the engine
// API Gateway runs them with, for tests/it/velocity. One JVM run renders every
// case of one input file:
//
//   java -cp velocity-1.7.jar:commons-lang-2.6.jar:commons-collections-3.2.2.jar \
//       tests/it/velocity/RenderTemplates.java CASES.jsonl
//
// (scripts/install-tools.sh velocity puts the jars in .tools/velocity/.)
//
// Input, JSON Lines (UTF-8), two kinds of line:
//   {"template": NAME, "text": VTL}
//   {"id": ID, "template": NAME,
//    "headers": [[name, value], ...], "query": [[name, value], ...],
//    "path": [[name, value], ...],              (ordered pairs: order is kept)
//    "stageVariables": [[name, value], ...] | null   (null: $stageVariables undefined)
//    "context": {...},                          ($context: nested objects become maps)
//    "body": BASE64,                            (the raw payload bytes)
//    "emptyBodyAsEmpty": true                   (optional: an empty payload reads as "", not {})
//   }
// Output, one JSON line per case, ASCII only:
//   {"id": ID, "output": BASE64 of the UTF-8 rendering, "status": $context.responseOverride.status
//    after rendering (JSON), "error": null | "what failed"}
//
// What API Gateway provides is emulated from its documentation, "API Gateway
// mapping template and access logging variable reference"
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html):
// the "$context variables", "$input variables", "$stageVariables" and "$util
// variables" sections, plus "Override your API's request and response
// parameters and status codes" for $context.requestOverride/responseOverride.
// AWS does not document its Velocity settings; the engine runs with Velocity
// 1.7's defaults (strict references off, directive.set.null.allowed=false, so
// #set with a null right-hand side keeps the old value), with logging off.
//
// Not emulated: the JSONPath subset is $, .name, ['name'] and [n] (no
// wildcards, filters or recursive descent); API Gateway's own size and time
// limits; binary payloads (the body is read as UTF-8 text, as for a text
// content type); repeated headers and query parameters (one value per name).
// Guessed, as AWS does not document them: the Java types behind $context and
// $input.params() (here LinkedHashMaps, so Map methods such as keySet() and
// isEmpty() work), what $input.params(x) gives for a missing name (""),
// and $input.json/path on a body that is not JSON (the rendering fails).

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.commons.lang.StringEscapeUtils;
import org.apache.velocity.Template;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.runtime.RuntimeInstance;

public class RenderTemplates {
    public static void main(String[] args) throws Exception {
        InputStream source = args.length > 0 ? new FileInputStream(args[0]) : System.in;
        BufferedReader in = new BufferedReader(new InputStreamReader(source, StandardCharsets.UTF_8));
        Writer out = new OutputStreamWriter(System.out, StandardCharsets.US_ASCII);

        RuntimeInstance velocity = new RuntimeInstance();
        // Velocity 1.7 defaults otherwise; only its log is silenced (by default
        // it would look for Log4J, LogKit or commons-logging, then java.util.logging).
        velocity.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
        velocity.init();

        Map<String, Template> templates = new HashMap<>();
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isEmpty()) {
                continue;
            }
            Map<String, Object> message = asMap(Json.parse(line), "input line");
            if (message.containsKey("text")) {
                // Parsed once, rendered for every case (as Velocity's own
                // getTemplate does): the same as Velocity.evaluate, faster.
                String name = (String) message.get("template");
                Template template = new Template();
                template.setName(name);
                template.setRuntimeServices(velocity);
                template.setData(velocity.parse(new StringReader((String) message.get("text")), name));
                template.initDocument();
                templates.put(name, template);
                continue;
            }
            out.write(render(templates, message));
            out.write('\n');
        }
        out.flush();
    }

    static String render(Map<String, Template> templates, Map<String, Object> c) {
        Object id = c.get("id");
        String rendered = null;
        Object status = null;
        String error = null;
        try {
            String name = (String) c.get("template");
            Template template = templates.get(name);
            if (template == null) {
                throw new IllegalArgumentException("no template named " + name);
            }
            byte[] payload = Base64.getDecoder().decode((String) c.get("body"));
            String body = new String(payload, StandardCharsets.UTF_8);
            // "$input.body: Returns the raw payload as a string." An empty
            // payload reads as {} on AWS (for a request; an integration
            // response's empty body can be asked for as "" with emptyBodyAsEmpty).
            if (body.isEmpty() && !Boolean.TRUE.equals(c.get("emptyBodyAsEmpty"))) {
                body = "{}";
            }
            Map<String, Map<String, String>> params = new LinkedHashMap<>();
            params.put("path", pairs(c.get("path")));
            params.put("querystring", pairs(c.get("query")));
            Map<String, String> headers = pairs(c.get("headers"));
            headers.keySet().removeIf(h -> DROPPED_HEADERS.contains(h.toLowerCase(Locale.ROOT)));
            params.put("header", headers);

            Map<String, Object> context = c.get("context") == null
                    ? new LinkedHashMap<>()
                    : asMap(c.get("context"), "context");
            // Writable with #set: $context.responseOverride.status and .header.NAME,
            // $context.requestOverride.header/querystring/path.NAME.
            Map<String, Object> responseOverride = new LinkedHashMap<>();
            responseOverride.put("header", new LinkedHashMap<String, Object>());
            context.putIfAbsent("responseOverride", responseOverride);
            Map<String, Object> requestOverride = new LinkedHashMap<>();
            requestOverride.put("header", new LinkedHashMap<String, Object>());
            requestOverride.put("querystring", new LinkedHashMap<String, Object>());
            requestOverride.put("path", new LinkedHashMap<String, Object>());
            context.putIfAbsent("requestOverride", requestOverride);

            VelocityContext vars = new VelocityContext();
            vars.put("input", new Input(body, params));
            vars.put("util", new Util());
            vars.put("context", context);
            if (c.get("stageVariables") != null) {
                vars.put("stageVariables", pairs(c.get("stageVariables")));
            }

            StringWriter writer = new StringWriter();
            template.merge(vars, writer);
            rendered = writer.toString();
            Object override = context.get("responseOverride");
            if (override instanceof Map) {
                status = ((Map<?, ?>) override).get("status");
            }
        } catch (Exception e) {
            error = e.toString();
        }
        StringBuilder b = new StringBuilder("{\"id\": ");
        Json.write(b, id, true);
        b.append(", \"output\": ");
        Json.write(b, rendered == null
                ? null
                : Base64.getEncoder().encodeToString(rendered.getBytes(StandardCharsets.UTF_8)), true);
        b.append(", \"status\": ");
        Json.write(b, status, true);
        b.append(", \"error\": ");
        Json.write(b, error, true);
        return b.append('}').toString();
    }

    /** [[name, value], ...] as an insertion-ordered map. */
    /**
     * Request headers API Gateway does not hand to templates (nor to proxy
     * events): recorded against AWS in LocalStack's snapshot test
     * test_apigateway_header_remapping_http (2024-12), where each renders "".
     */
    static final Set<String> DROPPED_HEADERS = Set.of(
            "connection", "content-length", "content-md5", "expect", "max-forwards",
            "proxy-authenticate", "server", "te", "transfer-encoding", "trailer", "upgrade",
            "www-authenticate");

    static Map<String, String> pairs(Object list) {
        Map<String, String> map = new LinkedHashMap<>();
        if (list == null) {
            return map;
        }
        for (Object pair : (List<?>) list) {
            List<?> p = (List<?>) pair;
            map.put((String) p.get(0), (String) p.get(1));
        }
        return map;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object value, String what) {
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException(what + " is not a JSON object");
        }
        return (Map<String, Object>) value;
    }

    /** $input: "$input variables" in the AWS reference. */
    public static final class Input {
        private final String body;
        private final Map<String, Map<String, String>> params;
        private Object parsed;
        private boolean isParsed;

        Input(String body, Map<String, Map<String, String>> params) {
            this.body = body;
            this.params = params;
        }

        /** $input.body: the raw payload as a string. */
        public String getBody() {
            return body;
        }

        /** $input.params(): a map of maps, "header", "querystring" and "path", name to value. */
        public Map<String, Map<String, String>> params() {
            return params;
        }

        /**
         * $input.params(x): the value of parameter x from the path, query string
         * or header, searched in that order. Not documented: what a missing name
         * gives (here "", as templates written against AWS expect) and whether the
         * header lookup ignores case (here it does, after an exact match fails).
         */
        public String params(String name) {
            for (String section : new String[] {"path", "querystring", "header"}) {
                Map<String, String> map = params.get(section);
                if (map.containsKey(name)) {
                    return map.get(name);
                }
            }
            for (Map.Entry<String, String> e : params.get("header").entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue();
                }
            }
            return "";
        }

        /** $input.json(x): a JSONPath expression's result as a JSON string. */
        public String json(String path) {
            StringBuilder b = new StringBuilder();
            Json.write(b, JsonPath.eval(parsedBody(), path), false);
            return b.toString();
        }

        /** $input.path(x): a JSONPath expression's result as an object (maps, lists, values). */
        public Object path(String path) {
            return JsonPath.eval(parsedBody(), path);
        }

        private Object parsedBody() {
            if (!isParsed) {
                parsed = Json.parse(body); // throws on a body that is not JSON
                isParsed = true;
            }
            return parsed;
        }
    }

    /** $util: "$util variables" in the AWS reference. */
    public static final class Util {
        /**
         * "Escapes the characters in a string using JavaScript string rules" --
         * the commons-lang 2.6 function of that name, which also turns ' into \'
         * (not valid in JSON; AWS documents .replaceAll("\\'","'") for it).
         */
        public String escapeJavaScript(String s) {
            return StringEscapeUtils.escapeJavaScript(s);
        }

        /** "Encodes the data into a base64-encoded string": the UTF-8 bytes of s. */
        public String base64Encode(String s) {
            return s == null ? null : Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
        }

        /** "Decodes the data from a base64-encoded string." */
        public String base64Decode(String s) {
            return s == null ? null : new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
        }

        /** "Converts a string into application/x-www-form-urlencoded format." */
        public String urlEncode(String s) {
            return s == null ? null : URLEncoder.encode(s, StandardCharsets.UTF_8);
        }

        /** "Decodes an application/x-www-form-urlencoded string." */
        public String urlDecode(String s) {
            return s == null ? null : URLDecoder.decode(s, StandardCharsets.UTF_8);
        }

        /** "Takes stringified JSON and returns an object representation of the result." */
        public Object parseJson(String s) {
            return Json.parse(s);
        }
    }

    /** The JSONPath subset: $ followed by .name, ['name'] / ["name"] and [index] steps. */
    static final class JsonPath {
        static Object eval(Object root, String path) {
            if (path == null || !path.startsWith("$")) {
                throw new IllegalArgumentException("unsupported JSONPath: " + path);
            }
            Object at = root;
            int i = 1;
            while (i < path.length()) {
                char c = path.charAt(i);
                if (c == '.') {
                    int end = i + 1;
                    while (end < path.length() && path.charAt(end) != '.' && path.charAt(end) != '[') {
                        end++;
                    }
                    at = member(at, path.substring(i + 1, end), path);
                    i = end;
                } else if (c == '[' && i + 1 < path.length()
                        && (path.charAt(i + 1) == '\'' || path.charAt(i + 1) == '"')) {
                    char quote = path.charAt(i + 1);
                    int end = path.indexOf(quote, i + 2);
                    if (end < 0 || end + 1 >= path.length() || path.charAt(end + 1) != ']') {
                        throw new IllegalArgumentException("unsupported JSONPath: " + path);
                    }
                    at = member(at, path.substring(i + 2, end), path);
                    i = end + 2;
                } else if (c == '[') {
                    int end = path.indexOf(']', i);
                    if (end < 0) {
                        throw new IllegalArgumentException("unsupported JSONPath: " + path);
                    }
                    int index;
                    try {
                        index = Integer.parseInt(path.substring(i + 1, end));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("unsupported JSONPath: " + path);
                    }
                    at = at instanceof List && index >= 0 && index < ((List<?>) at).size()
                            ? ((List<?>) at).get(index)
                            : null;
                    i = end + 1;
                } else {
                    throw new IllegalArgumentException("unsupported JSONPath: " + path);
                }
            }
            return at;
        }

        private static Object member(Object at, String name, String path) {
            if (name.isEmpty() || name.equals("*")) {
                throw new IllegalArgumentException("unsupported JSONPath: " + path);
            }
            return at instanceof Map ? ((Map<?, ?>) at).get(name) : null;
        }
    }

    /** A small JSON reader and writer (Java has none built in). */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        /** Objects become LinkedHashMaps (order kept), arrays ArrayLists. */
        static Object parse(String text) {
            if (text == null) {
                throw new IllegalArgumentException("no JSON text");
            }
            Json p = new Json(text);
            p.ws();
            Object value = p.value();
            p.ws();
            if (p.i != text.length()) {
                throw p.error("trailing characters");
            }
            return value;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("invalid JSON at " + i + ": " + what);
        }

        private void ws() {
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                i++;
            }
        }

        private void expect(char c) {
            if (i >= s.length() || s.charAt(i) != c) {
                throw error("expected " + c);
            }
            i++;
        }

        private Object value() {
            if (i >= s.length()) {
                throw error("unexpected end");
            }
            switch (s.charAt(i)) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                case 't':
                    literal("true");
                    return Boolean.TRUE;
                case 'f':
                    literal("false");
                    return Boolean.FALSE;
                case 'n':
                    literal("null");
                    return null;
                default:
                    return number();
            }
        }

        private void literal(String word) {
            if (!s.startsWith(word, i)) {
                throw error("expected " + word);
            }
            i += word.length();
        }

        private Map<String, Object> object() {
            expect('{');
            Map<String, Object> map = new LinkedHashMap<>();
            ws();
            if (i < s.length() && s.charAt(i) == '}') {
                i++;
                return map;
            }
            while (true) {
                ws();
                String key = string();
                ws();
                expect(':');
                ws();
                map.put(key, value());
                ws();
                if (i < s.length() && s.charAt(i) == ',') {
                    i++;
                    continue;
                }
                expect('}');
                return map;
            }
        }

        private List<Object> array() {
            expect('[');
            List<Object> list = new ArrayList<>();
            ws();
            if (i < s.length() && s.charAt(i) == ']') {
                i++;
                return list;
            }
            while (true) {
                ws();
                list.add(value());
                ws();
                if (i < s.length() && s.charAt(i) == ',') {
                    i++;
                    continue;
                }
                expect(']');
                return list;
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                if (i >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c < 0x20) {
                    throw error("control character in string");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (i >= s.length()) {
                    throw error("unterminated escape");
                }
                char e = s.charAt(i++);
                switch (e) {
                    case '"':
                    case '\\':
                    case '/':
                        b.append(e);
                        break;
                    case 'b':
                        b.append('\b');
                        break;
                    case 'f':
                        b.append('\f');
                        break;
                    case 'n':
                        b.append('\n');
                        break;
                    case 'r':
                        b.append('\r');
                        break;
                    case 't':
                        b.append('\t');
                        break;
                    case 'u':
                        if (i + 4 > s.length()) {
                            throw error("short \\u escape");
                        }
                        try {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        } catch (NumberFormatException x) {
                            throw error("bad \\u escape");
                        }
                        i += 4;
                        break;
                    default:
                        throw error("bad escape \\" + e);
                }
            }
        }

        private Number number() {
            int start = i;
            boolean integral = true;
            if (i < s.length() && s.charAt(i) == '-') {
                i++;
            }
            int digits = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (i == digits) {
                throw error("unexpected character");
            }
            if (i < s.length() && s.charAt(i) == '.') {
                integral = false;
                i++;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
            }
            if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                integral = false;
                i++;
                if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                    i++;
                }
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
            }
            String text = s.substring(start, i);
            try {
                if (integral) {
                    BigInteger big = new BigInteger(text);
                    return big.bitLength() < 64 ? (Number) big.longValue() : big;
                }
                return new BigDecimal(text);
            } catch (NumberFormatException e) {
                throw error("bad number " + text);
            }
        }

        /** Writes value as JSON; with ascii, everything beyond ASCII as \\uXXXX. */
        static void write(StringBuilder b, Object value, boolean ascii) {
            if (value == null) {
                b.append("null");
            } else if (value instanceof String) {
                quote(b, (String) value, ascii);
            } else if (value instanceof Boolean || value instanceof Long || value instanceof Integer
                    || value instanceof Short || value instanceof Byte || value instanceof BigInteger
                    || value instanceof BigDecimal) {
                b.append(value);
            } else if (value instanceof Number) {
                double d = ((Number) value).doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    b.append("null");
                } else {
                    b.append(value);
                }
            } else if (value instanceof Map) {
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                    if (!first) {
                        b.append(',');
                    }
                    first = false;
                    quote(b, String.valueOf(e.getKey()), ascii);
                    b.append(':');
                    write(b, e.getValue(), ascii);
                }
                b.append('}');
            } else if (value instanceof Collection) {
                b.append('[');
                boolean first = true;
                for (Object item : (Collection<?>) value) {
                    if (!first) {
                        b.append(',');
                    }
                    first = false;
                    write(b, item, ascii);
                }
                b.append(']');
            } else {
                quote(b, value.toString(), ascii);
            }
        }

        private static void quote(StringBuilder b, String s, boolean ascii) {
            b.append('"');
            for (int k = 0; k < s.length(); k++) {
                char c = s.charAt(k);
                switch (c) {
                    case '"':
                        b.append("\\\"");
                        break;
                    case '\\':
                        b.append("\\\\");
                        break;
                    case '\n':
                        b.append("\\n");
                        break;
                    case '\r':
                        b.append("\\r");
                        break;
                    case '\t':
                        b.append("\\t");
                        break;
                    default:
                        if (c < 0x20 || (ascii && c > 0x7e)) {
                            b.append(String.format("\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                }
            }
            b.append('"');
        }
    }
}
