/* lazyqt C example: print a movie's metadata and one frame's details, write the frame as PNG.
 *
 *   cc -I include examples/example.c -L <libdir> -llazyqt -o example
 *   ./example MOVIE_PATH_OR_URL OUT.png [FRAME]
 *
 * Exits 0 on success, 1 on any failure (with lazyqt's message on stderr). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lazyqt.h>

static int report(const char *what, lazyqt_status status) {
    fprintf(stderr, "%s failed: %s: %s\n", what, lazyqt_status_str(status), lazyqt_last_error_message());
    return 1;
}

/* Write n bytes to a new file; 0 on success. */
static int write_file(const char *path, const uint8_t *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return 1;
    }
    int bad = fwrite(data, 1, n, f) != n;
    bad |= fclose(f) != 0;
    if (bad) perror(path);
    return bad;
}

/* Everything after open, so that main can close the handle on every path. */
static int run(const lazyqt_movie *m, uint64_t n, const char *out_path) {
    lazyqt_status s;
    lazyqt_info info;
    if ((s = lazyqt_get_info(m, &info)) != LAZYQT_OK) return report("lazyqt_get_info", s);
    printf("frames:     %" PRIu64 "\n", info.frames);
    printf("size:       %" PRIu32 "x%" PRIu32 "\n", info.width, info.height);
    printf("codec:      %s\n", info.codec);
    printf("fps:        %" PRIu64 "/%" PRIu64 " (%.3f)\n", info.fps_num, info.fps_den, info.fps);
    printf("duration:   %.3f s\n", info.duration_seconds);
    if (info.has_creation_time)
        printf("created:    %" PRId64 " (unix seconds)\n", info.creation_time);
    else
        printf("created:    unknown\n");
    printf("file size:  %" PRIu64 " bytes\n", info.file_size);

    lazyqt_frame_desc fd;
    if ((s = lazyqt_frame_info(m, n, &fd)) != LAZYQT_OK) return report("lazyqt_frame_info", s);
    printf("frame %" PRIu64 ": offset %" PRIu64 ", %" PRIu32 " bytes, pts %" PRId64 ", %s, at %.3f s\n", n,
           fd.offset, fd.size, fd.pts, fd.keyframe ? "keyframe" : "not a keyframe", fd.time_seconds);

    uint64_t at = 0;
    if ((s = lazyqt_frame_at_time(m, fd.time_seconds, &at)) != LAZYQT_OK)
        return report("lazyqt_frame_at_time", s);
    printf("frame at %.3f s: %" PRIu64 "\n", fd.time_seconds, at);
    if (at != n) {
        fprintf(stderr, "frame_at_time disagrees with frame_info\n");
        return 1;
    }

    /* The compressed sample: ask for the size, then fetch. */
    size_t raw_len = 0;
    if ((s = lazyqt_raw_frame(m, n, NULL, 0, &raw_len)) != LAZYQT_OK) return report("lazyqt_raw_frame", s);
    uint8_t *raw = malloc(raw_len ? raw_len : 1);
    if (!raw) return 1;
    s = lazyqt_raw_frame(m, n, raw, raw_len, NULL);
    free(raw);
    if (s != LAZYQT_OK) return report("lazyqt_raw_frame", s);
    printf("raw sample: %zu bytes\n", raw_len);

    /* Pixels at half width (height follows the aspect ratio). */
    uint32_t w = 0, h = 0;
    if ((s = lazyqt_output_size(m, info.width / 2, 0, &w, &h)) != LAZYQT_OK)
        return report("lazyqt_output_size", s);
    size_t pix_len = 0;
    if ((s = lazyqt_frame_buffer_size(m, LAZYQT_PIXEL_RGB8, w, h, &pix_len)) != LAZYQT_OK)
        return report("lazyqt_frame_buffer_size", s);
    uint8_t *pixels = malloc(pix_len);
    if (!pixels) return 1;
    size_t written = 0;
    s = lazyqt_decode_frame(m, n, LAZYQT_PIXEL_RGB8, w, h, pixels, pix_len, &written);
    if (s == LAZYQT_OK) {
        uint64_t sum = 0;
        for (size_t i = 0; i < written; i++) sum += pixels[i];
        printf("decoded %" PRIu32 "x%" PRIu32 " RGB: %zu bytes, mean %.1f\n", w, h, written,
               written ? (double)sum / (double)written : 0.0);
    }
    free(pixels);
    if (s != LAZYQT_OK) return report("lazyqt_decode_frame", s);

    /* PNG at full size with the two-call pattern: a too-small buffer reports the size. */
    uint8_t probe[16];
    size_t png_len = 0;
    s = lazyqt_encode_frame(m, n, LAZYQT_IMAGE_PNG, -1, 0, 0, probe, sizeof probe, &png_len);
    if (s != LAZYQT_ERR_BUFFER_TOO_SMALL) return report("lazyqt_encode_frame (probe)", s);
    uint8_t *png = malloc(png_len);
    if (!png) return 1;
    s = lazyqt_encode_frame(m, n, LAZYQT_IMAGE_PNG, -1, 0, 0, png, png_len, &png_len);
    int bad = s != LAZYQT_OK ? report("lazyqt_encode_frame", s) : write_file(out_path, png, png_len);
    free(png);
    if (bad) return 1;
    printf("wrote %s (%zu bytes of PNG)\n", out_path, png_len);

    /* A JPEG in a library-allocated buffer. */
    uint8_t *jpeg = NULL;
    size_t jpeg_len = 0;
    s = lazyqt_encode_frame_alloc(m, n, LAZYQT_IMAGE_JPEG, 85, 0, 0, &jpeg, &jpeg_len);
    if (s != LAZYQT_OK) return report("lazyqt_encode_frame_alloc", s);
    printf("JPEG: %zu bytes\n", jpeg_len);
    lazyqt_buffer_free(jpeg, jpeg_len);

    /* Errors come back as codes with a message. */
    s = lazyqt_frame_info(m, info.frames, &fd);
    if (s != LAZYQT_ERR_OUT_OF_RANGE) {
        fprintf(stderr, "frame %" PRIu64 " should be out of range\n", info.frames);
        return 1;
    }
    printf("frame %" PRIu64 ": %s (%s)\n", info.frames, lazyqt_status_str(s), lazyqt_last_error_message());
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s MOVIE_PATH_OR_URL OUT.png [FRAME]\n", argv[0]);
        return 2;
    }
    uint64_t n = argc == 4 ? strtoull(argv[3], NULL, 10) : 0;
    printf("lazyqt %s\n", lazyqt_version());

    lazyqt_open_options opts = lazyqt_default_open_options();
    opts.no_cache = true;
    lazyqt_movie *m = NULL;
    lazyqt_status s = lazyqt_open(argv[1], &opts, &m);
    if (s != LAZYQT_OK) return report("lazyqt_open", s);
    int rc = run(m, n, argv[2]);
    lazyqt_close(m);
    return rc;
}
